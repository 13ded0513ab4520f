#include "frontends/http_rest/ecoseller/store_codec.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/api/validation.h"
#include "core/common/status_macros.h"
#include "core/common/utf8.h"

namespace recplat::http::ecoseller {
namespace {

class Encoder {
 public:
  explicit Encoder(const std::string& tenant) : tenant_(tenant) {}

  absl::Status Add(const StoreObject& object, const std::string& path) {
    path_ = path;
    return std::visit([this](const auto& o) { return AddObject(o); }, object);
  }

  EncodedStore Finish() { return std::move(out_); }

 private:
  v1::WriteOp* Op(std::string field) {
    out_.op_paths.push_back(field.empty() ? path_ : absl::StrCat(path_, ".", field));
    return out_.write.add_ops();
  }

  v1::ShopEntity* Entity(bool deleted, std::string field = "") {
    v1::ShopEntity* e = Op(std::move(field))->mutable_shop();
    e->set_tenant(tenant_);
    e->set_deleted(deleted);
    return e;
  }

  absl::StatusOr<int64_t> Millis(absl::Time t, absl::string_view field) const {
    const int64_t ms = absl::ToUnixMillis(t);
    if (ms < 0) {
      return absl::InvalidArgumentError(absl::StrCat(path_, ".", field, ": before 1970-01-01"));
    }
    return ms;
  }

  // One event of a feedback object. `value` 0 means 1 to the core.
  absl::Status AddEvent(absl::string_view type, const std::optional<int64_t>& user_id,
                        const std::string& session_id, const std::string& sku, double value,
                        absl::Time at, std::string event_id,
                        std::vector<std::pair<std::string, std::string>> context,
                        std::string item_field = "product_variant_sku") {
    if (!session_id.empty()) {
      RECPLAT_RETURN_IF_ERROR(api::CheckId(session_id, absl::StrCat(path_, ".session_id")));
    }
    RECPLAT_ASSIGN_OR_RETURN(int64_t at_ms, Millis(at, "create_at"));
    v1::Event* e = Op(std::move(item_field))->mutable_event();
    e->set_tenant(tenant_);
    if (user_id.has_value()) e->set_user_id(absl::StrCat(*user_id));
    e->set_session_id(session_id);
    e->set_item_id(sku);
    e->set_type(std::string(type));
    e->set_value(value);
    e->set_timestamp_ms(at_ms);
    e->set_event_id(std::move(event_id));
    for (const auto& [key, text] : context) {
      // Context values are capped by the core; keep the longest valid UTF-8 prefix.
      (*e->mutable_context())[key] =
          common::TruncateUtf8(text, api::Limits::kMaxAttributeValueBytes);
    }
    return absl::OkStatus();
  }

  absl::Status AddObject(const Category& c) {
    v1::ShopCategory* e = Entity(c.deleted)->mutable_category();
    e->set_id(c.id);
    if (c.parent_id.has_value()) e->set_parent_id(*c.parent_id);
    return absl::OkStatus();
  }
  absl::Status AddTranslation(const ProductTranslation& t, const std::string& field) {
    v1::ShopTranslation* e = Entity(t.deleted, field)->mutable_translation();
    e->set_id(t.id);
    e->set_title(t.title);
    e->set_language_code(t.language_code);
    return absl::OkStatus();
  }
  absl::Status AddObject(const ProductTranslation& t) { return AddTranslation(t, ""); }
  absl::Status AddObject(const Product& p) {
    RECPLAT_ASSIGN_OR_RETURN(int64_t created, Millis(p.create_at, "create_at"));
    if (!p.deleted) {
      for (size_t i = 0; i < p.product_translations.size(); ++i) {
        RECPLAT_RETURN_IF_ERROR(AddTranslation(p.product_translations[i],
                                               absl::StrCat("product_translations[", i, "]")));
      }
    }
    v1::ShopProduct* e = Entity(p.deleted)->mutable_product();
    e->set_id(p.id);
    e->set_published(p.published);
    if (p.category_id.has_value()) e->set_category_id(*p.category_id);
    for (const ProductTranslation& t : p.product_translations) e->add_translation_ids(t.id);
    for (const std::string& sku : p.product_variants) e->add_variant_skus(sku);
    e->set_created_at_ms(created);
    return absl::OkStatus();
  }
  absl::Status AddObject(const ProductVariant& v) {
    RECPLAT_RETURN_IF_ERROR(api::CheckId(v.sku, absl::StrCat(path_, ".sku")));
    v1::ShopVariant* e = Entity(v.deleted, "sku")->mutable_variant();
    e->set_sku(v.sku);
    e->set_stock_quantity(v.stock_quantity);
    e->set_recommendation_weight(v.recommendation_weight);
    for (int64_t id : v.attributes) e->add_attribute_ids(id);
    return absl::OkStatus();
  }
  absl::Status AddObject(const Attribute& a) {
    v1::ShopAttribute* e = Entity(a.deleted)->mutable_attribute();
    e->set_id(a.id);
    e->set_type_id(a.type);
    if (a.raw_value.has_value()) e->set_raw_value(*a.raw_value);
    return absl::OkStatus();
  }
  absl::Status AddObject(const AttributeType& t) {
    v1::ShopAttributeType* e = Entity(t.deleted)->mutable_attribute_type();
    e->set_id(t.id);
    e->set_numerical(t.type == "NUMERICAL");
    return absl::OkStatus();
  }
  absl::Status AddObject(const ProductPrice& p) {
    RECPLAT_ASSIGN_OR_RETURN(int64_t updated, Millis(p.update_at, "update_at"));
    v1::ShopPrice* e = Entity(p.deleted, "product_variant_sku")->mutable_price();
    e->set_id(p.id);
    e->set_variant_sku(p.product_variant_sku.value_or(""));
    e->set_price(p.price);
    e->set_updated_at_ms(updated);
    return absl::OkStatus();
  }
  absl::Status AddObject(const ProductType&) { return absl::OkStatus(); }
  absl::Status AddObject(const Order& o) {
    if (o.deleted) return absl::OkStatus();
    if (o.token.empty() || o.token.size() > api::Limits::kMaxIdBytes - 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          path_, ".token: must be 1..", api::Limits::kMaxIdBytes - 16, " bytes"));
    }
    for (size_t i = 0; i < o.product_variants.size(); ++i) {
      const OrderLine& line = o.product_variants[i];
      RECPLAT_RETURN_IF_ERROR(AddEvent(kEventOrder, std::nullopt, o.session_id, line.sku,
                                       static_cast<double>(line.quantity), o.create_at,
                                       absl::StrCat("order:", o.token, ":", i), {},
                                       absl::StrCat("product_variants[", i, "]")));
    }
    return absl::OkStatus();
  }
  absl::Status AddObject(const Review& r) {
    if (r.deleted) return absl::OkStatus();
    return AddEvent(kEventReview, r.user_id, r.session_id, r.product_variant_sku,
                    static_cast<double>(r.rating), r.create_at, absl::StrCat("review:", r.id),
                    {});
  }
  absl::Status AddObject(const ProductAddToCart& e) {
    if (e.deleted) return absl::OkStatus();
    return AddEvent(kEventAddToCart, e.user_id, e.session_id, e.product_variant_sku, 0,
                    e.create_at, "", {});
  }
  absl::Status AddObject(const ProductDetailLeave& e) {
    if (e.deleted) return absl::OkStatus();
    return AddEvent(kEventDetailLeave, e.user_id, e.session_id, e.product_variant_sku,
                    e.time_spent, e.create_at, "", {});
  }
  absl::Status AddObject(const ProductDetailEnter& e) {
    if (e.deleted) return absl::OkStatus();
    std::vector<std::pair<std::string, std::string>> context;
    if (e.recommendation_type.has_value()) {
      context.emplace_back(kContextSurface, *e.recommendation_type);
    }
    if (e.model_name.has_value()) context.emplace_back(kContextModel, *e.model_name);
    if (e.model_identifier.has_value()) {
      context.emplace_back("model_version", *e.model_identifier);
    }
    if (e.position.has_value()) context.emplace_back(kContextPosition, absl::StrCat(*e.position));
    return AddEvent(kEventDetailEnter, e.user_id, e.session_id, e.product_variant_sku, 0,
                    e.create_at, "", std::move(context));
  }
  absl::Status AddObject(const RecommendationView& e) {
    if (e.deleted) return absl::OkStatus();
    std::vector<std::pair<std::string, std::string>> context = {
        {std::string(kContextSurface), e.recommendation_type},
        {"model_version", e.model_identifier}};
    if (e.position.has_value()) context.emplace_back(kContextPosition, absl::StrCat(*e.position));
    return AddEvent(kEventRecommendationView, e.user_id, e.session_id, e.product_variant_sku, 0,
                    e.create_at, "", std::move(context));
  }
  absl::Status AddObject(const EcosellerConfig& c) {
    if (c.deleted) return absl::OkStatus();
    // One versioned document: the core keeps the version with the latest create_at, whatever
    // the order in which frontends write them.
    v1::Document* d = Op("")->mutable_put_document();
    d->set_tenant(tenant_);
    d->set_collection(std::string(kConfigs));
    d->set_key(std::string(kCurrentConfigKey));
    d->set_body(c.ToStoredJson().dump());
    d->set_version(ConfigVersion(c.create_at));
    return absl::OkStatus();
  }
  absl::Status AddObject(const TrainerQueueItem& t) {
    if (!t.deleted && IsEcosellerModelName(t.model_name)) out_.train.insert(t.model_name);
    return absl::OkStatus();
  }

  const std::string& tenant_;
  std::string path_;
  EncodedStore out_;
};

}  // namespace

int64_t ConfigVersion(absl::Time create_at) {
  return std::max<int64_t>(1, absl::ToUnixMicros(create_at));
}

absl::StatusOr<EncodedStore> EncodeStore(const std::vector<StoreObject>& objects,
                                         const std::string& tenant) {
  Encoder encoder(tenant);
  for (size_t i = 0; i < objects.size(); ++i) {
    RECPLAT_RETURN_IF_ERROR(encoder.Add(objects[i], absl::StrCat("objects[", i, "]")));
  }
  return encoder.Finish();
}

}  // namespace recplat::http::ecoseller
