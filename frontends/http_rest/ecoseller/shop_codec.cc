#include "frontends/http_rest/ecoseller/shop_codec.h"

#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace recplat::http::ecoseller::shop {
namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

json Body(absl::string_view model_class) { return json{{"_model_class", model_class}}; }

json TranslationJson(const ProductTranslation& t) {
  return json{{"id", t.id},
              {"language_code", t.language_code},
              {"title", t.title},
              {"meta_title", t.meta_title},
              {"meta_description", t.meta_description},
              {"short_description", OrNull(t.short_description)},
              {"description", OrNull(t.description)},
              {"slug", t.slug}};
}

// The fields every product event shares.
template <typename Event>
void EventCommon(const Event& e, json* out) {
  (*out)["session_id"] = e.session_id;
  (*out)["user_id"] = OrNull(e.user_id);
  (*out)["product_id"] = e.product_id;
  (*out)["product_variant_sku"] = e.product_variant_sku;
  (*out)["create_at"] = FormatDocumentTime(e.create_at);
}

struct Encoder {
  json operator()(const Attribute& a) const {
    json out = Body("Attribute");
    out.update({{"id", a.id},
                {"type", a.type},
                {"raw_value", OrNull(a.raw_value)},
                {"order", OrNull(a.order)},
                {"ext_attributes", a.ext_attributes}});
    return out;
  }
  json operator()(const AttributeType& t) const {
    json out = Body("AttributeType");
    out.update({{"id", t.id},
                {"type", t.type},
                {"type_name", OrNull(t.type_name)},
                {"unit", OrNull(t.unit)}});
    return out;
  }
  json operator()(const Category& c) const {
    json out = Body("Category");
    out.update({{"id", c.id}, {"parent_id", OrNull(c.parent_id)}});
    return out;
  }
  json operator()(const EcosellerConfig& c) const {
    json out = c.ToStoredJson();
    out["_model_class"] = "Config";
    return out;
  }
  json operator()(const Order& o) const {
    json lines = json::array();
    for (const OrderLine& line : o.product_variants) {
      lines.push_back(json::array({line.sku, line.quantity}));
    }
    json out = Body("Order");
    out.update({{"token", o.token},
                {"session_id", o.session_id},
                {"product_variants", std::move(lines)},
                {"update_at", FormatDocumentTime(o.update_at)},
                {"create_at", FormatDocumentTime(o.create_at)}});
    return out;
  }
  json operator()(const Product& p) const {
    json translations = json::array();
    for (const ProductTranslation& t : p.product_translations) {
      translations.push_back(TranslationJson(t));
    }
    json out = Body("Product");
    out.update({{"id", p.id},
                {"published", p.published},
                {"category_id", OrNull(p.category_id)},
                {"type_id", OrNull(p.type_id)},
                {"product_translations", std::move(translations)},
                {"product_variants", p.product_variants},
                {"update_at", FormatDocumentTime(p.update_at)},
                {"create_at", FormatDocumentTime(p.create_at)}});
    return out;
  }
  json operator()(const ProductAddToCart& e) const {
    json out = Body("ProductAddToCart");
    EventCommon(e, &out);
    return out;
  }
  json operator()(const ProductDetailEnter& e) const {
    json out = Body("ProductDetailEnter");
    EventCommon(e, &out);
    out.update({{"recommendation_type", OrNull(e.recommendation_type)},
                {"model_identifier", OrNull(e.model_identifier)},
                {"model_name", OrNull(e.model_name)},
                {"position", OrNull(e.position)}});
    return out;
  }
  json operator()(const ProductDetailLeave& e) const {
    json out = Body("ProductDetailLeave");
    EventCommon(e, &out);
    out["time_spent"] = e.time_spent;
    return out;
  }
  json operator()(const ProductPrice& p) const {
    json out = Body("ProductPrice");
    out.update({{"id", p.id},
                {"price_list_code", p.price_list_code},
                {"product_variant_sku", OrNull(p.product_variant_sku)},
                {"price", p.price},
                {"update_at", FormatDocumentTime(p.update_at)},
                {"create_at", FormatDocumentTime(p.create_at)}});
    return out;
  }
  json operator()(const ProductTranslation& t) const {
    json out = Body("ProductTranslation");
    out.update(TranslationJson(t));
    return out;
  }
  json operator()(const ProductType& t) const {
    json out = Body("ProductType");
    out.update({{"id", t.id},
                {"name", OrNull(t.name)},
                {"update_at", FormatDocumentTime(t.update_at)},
                {"create_at", FormatDocumentTime(t.create_at)},
                {"products", t.products},
                {"attribute_types", t.attribute_types}});
    return out;
  }
  json operator()(const ProductVariant& v) const {
    json out = Body("ProductVariant");
    out.update({{"sku", v.sku},
                {"ean", v.ean},
                {"weight", OrNull(v.weight)},
                {"stock_quantity", v.stock_quantity},
                {"recommendation_weight", v.recommendation_weight},
                {"update_at", FormatDocumentTime(v.update_at)},
                {"create_at", FormatDocumentTime(v.create_at)},
                {"attributes", v.attributes}});
    return out;
  }
  json operator()(const RecommendationView& e) const {
    json out = Body("RecommendationView");
    EventCommon(e, &out);
    out.update({{"recommendation_type", e.recommendation_type},
                {"model_identifier", e.model_identifier},
                {"position", OrNull(e.position)}});
    return out;
  }
  json operator()(const Review& r) const {
    json out = Body("Review");
    out.update({{"id", r.id},
                {"session_id", r.session_id},
                {"user_id", r.user_id},
                {"product_id", r.product_id},
                {"product_variant_sku", r.product_variant_sku},
                {"rating", r.rating},
                {"update_at", FormatDocumentTime(r.update_at)},
                {"create_at", FormatDocumentTime(r.create_at)}});
    return out;
  }
  json operator()(const TrainerQueueItem& q) const {
    json out = Body("TrainerQueueItem");
    out.update({{"id", OrNull(q.id)},
                {"model_name", q.model_name},
                {"create_at", FormatDocumentTime(q.create_at)},
                {"processed", OrNull(q.processed)}});
    return out;
  }
};

// Collection per StoreObject alternative, in the variant's order.
constexpr absl::string_view kCollections[] = {
    kAttributes, kAttributeTypes, kCategories,   kConfigs,  kOrders,       kProducts,
    kAddToCarts, kDetailEnters,   kDetailLeaves, kPrices,   kTranslations, kProductTypes,
    kVariants,   kRecommendationViews, kReviews, kTrainerQueue};
static_assert(std::size(kCollections) == std::variant_size_v<StoreObject>);

}  // namespace

absl::string_view CollectionOf(const StoreObject& object) { return kCollections[object.index()]; }

std::optional<std::string> IdKeyOf(const StoreObject& object) {
  return std::visit(
      [](const auto& o) -> std::optional<std::string> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, ProductVariant>) {
          return o.sku;
        } else if constexpr (std::is_same_v<T, Order>) {
          return o.token;
        } else if constexpr (std::is_same_v<T, Attribute> || std::is_same_v<T, AttributeType> ||
                             std::is_same_v<T, Category> || std::is_same_v<T, Product> ||
                             std::is_same_v<T, ProductPrice> ||
                             std::is_same_v<T, ProductTranslation> ||
                             std::is_same_v<T, ProductType> || std::is_same_v<T, Review>) {
          return absl::StrCat(o.id);
        } else {
          return std::nullopt;
        }
      },
      object);
}

absl::Time CreateAtOf(const StoreObject& object) {
  return std::visit(
      [](const auto& o) -> absl::Time {
        if constexpr (requires { o.create_at; }) {
          return o.create_at;
        } else {
          return absl::UnixEpoch();
        }
      },
      object);
}

json ToDocumentJson(const StoreObject& object) { return std::visit(Encoder{}, object); }

absl::StatusOr<StoreObject> FromDocumentBody(absl::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::DataLossError("stored document is not JSON");
  }
  absl::StatusOr<StoreObject> object = ParseStoreObject(parsed, absl::UnixEpoch());
  if (!object.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored document does not parse: ", object.status().message()));
  }
  return object;
}

json PredictionToJson(const PredictionRecord& r) {
  return json{{"create_at", FormatDocumentTime(r.create_at)},
              {"session_id", r.session_id},
              {"user_id", OrNull(r.user_id)},
              {"recommendation_type", r.recommendation_type},
              {"retrieval_model", r.retrieval_model},
              {"retrieval_identifier", r.retrieval_identifier},
              {"scoring_model", r.scoring_model},
              {"scoring_identifier", r.scoring_identifier},
              {"retrieval_seconds", r.retrieval_seconds},
              {"scoring_seconds", r.scoring_seconds},
              {"ordering_seconds", r.ordering_seconds},
              {"predicted_items", r.predicted_items}};
}

absl::StatusOr<PredictionRecord> PredictionFromBody(absl::string_view body) {
  json j = json::parse(body.begin(), body.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return absl::DataLossError("stored prediction record is not a JSON object");
  }
  PredictionRecord r;
  try {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, j.at("create_at").get<std::string>(),
                         absl::UTCTimeZone(), &r.create_at, &err)) {
      return absl::DataLossError(absl::StrCat("stored prediction record: create_at: ", err));
    }
    r.session_id = j.at("session_id").get<std::string>();
    if (!j.at("user_id").is_null()) {
      r.user_id = j.at("user_id").get<int64_t>();
    }
    r.recommendation_type = j.at("recommendation_type").get<std::string>();
    r.retrieval_model = j.at("retrieval_model").get<std::string>();
    r.retrieval_identifier = j.at("retrieval_identifier").get<std::string>();
    r.scoring_model = j.at("scoring_model").get<std::string>();
    r.scoring_identifier = j.at("scoring_identifier").get<std::string>();
    r.retrieval_seconds = j.at("retrieval_seconds").get<double>();
    r.scoring_seconds = j.at("scoring_seconds").get<double>();
    r.ordering_seconds = j.at("ordering_seconds").get<double>();
    r.predicted_items = j.at("predicted_items").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return absl::DataLossError(absl::StrCat("stored prediction record: ", e.what()));
  }
  return r;
}

std::string TruncateUtf8(const std::string& text, size_t max) {
  if (text.size() <= max) {
    return text;
  }
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut);
}

std::string FormatDocumentTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

}  // namespace recplat::http::ecoseller::shop
