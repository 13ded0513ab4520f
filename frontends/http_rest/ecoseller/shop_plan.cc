#include "frontends/http_rest/ecoseller/shop_plan.h"

#include <map>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/api/validation.h"
#include "frontends/http_rest/ecoseller/shop_codec.h"
#include "frontends/http_rest/ecoseller/shop_store.h"

namespace recplat::http::ecoseller::shop {
namespace {

using api::Limits;

const api::ValidationOptions& ShopValidation() {
  static const auto* const kOptions = [] {
    auto* options = new api::ValidationOptions();
    for (absl::string_view type : kShopEventTypes) options->event_types.insert(std::string(type));
    return options;
  }();
  return *kOptions;
}

bool IsDeleted(const StoreObject& object) {
  return std::visit(
      [](const auto& o) {
        if constexpr (requires { o.deleted; }) {
          return o.deleted;
        } else {
          return false;
        }
      },
      object);
}

// Catalog writes retrain the content model, as every product-storage write did.
bool IsCatalogClass(const StoreObject& object) {
  return std::holds_alternative<Attribute>(object) ||
         std::holds_alternative<AttributeType>(object) ||
         std::holds_alternative<Category>(object) || std::holds_alternative<Order>(object) ||
         std::holds_alternative<Product>(object) || std::holds_alternative<ProductPrice>(object) ||
         std::holds_alternative<ProductTranslation>(object) ||
         std::holds_alternative<ProductType>(object) ||
         std::holds_alternative<ProductVariant>(object);
}

// One core event before validation.
struct EventSpec {
  absl::string_view type;
  std::optional<int64_t> user_id;
  std::string session_id;
  std::string sku;
  double value = 0;
  absl::Time at;
  std::vector<std::pair<std::string, std::string>> context;
};

class Planner {
 public:
  Planner(const ShopMirror& mirror, const std::string& tenant,
          const std::function<uint32_t()>& discriminator, absl::Time now)
      : mirror_(mirror), tenant_(tenant), discriminator_(discriminator), now_(now) {}

  absl::Status Add(const StoreObject& object, const std::string& path);
  StorePlan Finish() { return std::move(plan_); }

 private:
  bool KnownVariant(const std::string& sku) const {
    auto it = variants_.find(sku);
    return it != variants_.end() ? it->second : mirror_.HasVariant(sku);
  }
  absl::Status RequireVariant(const std::string& sku, const std::string& field) const {
    if (!KnownVariant(sku)) {
      return absl::NotFoundError(absl::StrCat(field, ": unknown variant '", sku, "'"));
    }
    return absl::OkStatus();
  }
  // Adds the document of `object` (a deletion when it is deleted) and applies it.
  absl::Status AddObject(StoreObject object, const std::string& path);
  absl::Status AddEvent(EventSpec spec, const std::string& path);
  absl::Status AddProductEvent(const StoreObject& object, const std::string& path);

  const ShopMirror& mirror_;
  const std::string& tenant_;
  const std::function<uint32_t()>& discriminator_;
  const absl::Time now_;
  StorePlan plan_;
  // The batch's effect so far, over the mirror's state.
  std::map<std::string, bool> variants_;
  std::map<std::string, bool> orders_;
  std::map<int64_t, bool> reviews_;
  int64_t configs_ = 0;
};

absl::Status Planner::AddObject(StoreObject object, const std::string& path) {
  v1::Document doc;
  doc.set_tenant(tenant_);
  doc.set_collection(std::string(CollectionOf(object)));
  std::optional<std::string> key = IdKeyOf(object);
  doc.set_key(key.has_value() ? *std::move(key) : TimeKey(CreateAtOf(object), discriminator_()));
  if (IsDeleted(object)) {
    doc.set_deleted(true);
  } else {
    doc.set_body(ToDocumentJson(object).dump(-1, ' ', /*ensure_ascii=*/false,
                                             nlohmann::json::error_handler_t::replace));
    if (doc.body().size() > Limits::kMaxDocumentBodyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": too large to store (", doc.body().size(), " bytes, at most ",
                       Limits::kMaxDocumentBodyBytes, ")"));
    }
  }
  plan_.documents.push_back(std::move(doc));
  plan_.applied.push_back(std::move(object));
  return absl::OkStatus();
}

absl::Status Planner::AddEvent(EventSpec spec, const std::string& path) {
  if (!spec.user_id.has_value() && spec.session_id.empty()) {
    // Nobody to attribute it to: the core cannot hold it; the document keeps it.
    return absl::OkStatus();
  }
  if (!spec.session_id.empty()) {
    RECPLAT_RETURN_IF_ERROR(api::CheckId(spec.session_id, absl::StrCat(path, ".session_id")));
  }
  const int64_t at_ms = absl::ToUnixMillis(spec.at);
  if (at_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".create_at: before 1970-01-01"));
  }
  v1::Event event;
  event.set_tenant(tenant_);
  if (spec.user_id.has_value()) {
    event.set_user_id(absl::StrCat(*spec.user_id));
  }
  event.set_session_id(std::move(spec.session_id));
  event.set_item_id(std::move(spec.sku));
  event.set_type(std::string(spec.type));
  event.set_value(spec.value);
  event.set_timestamp_ms(at_ms);
  for (auto& [name, value] : spec.context) {
    (*event.mutable_context())[name] = TruncateUtf8(value, Limits::kMaxAttributeValueBytes);
  }
  RECPLAT_RETURN_IF_ERROR(api::NormalizeEvent(ShopValidation(), absl::ToUnixMillis(now_), &event,
                                              path));
  plan_.events.push_back(std::move(event));
  return absl::OkStatus();
}

// The four feedback events: ProductAddToCart, ProductDetailEnter, ProductDetailLeave,
// RecommendationView.
absl::Status Planner::AddProductEvent(const StoreObject& object, const std::string& path) {
  EventSpec spec;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ProductAddToCart> ||
                      std::is_same_v<T, ProductDetailEnter> ||
                      std::is_same_v<T, ProductDetailLeave> ||
                      std::is_same_v<T, RecommendationView>) {
          spec.user_id = e.user_id;
          spec.session_id = e.session_id;
          spec.sku = e.product_variant_sku;
          spec.at = e.create_at;
          if constexpr (requires { e.position; }) {
            if (e.position.has_value()) {
              spec.context.emplace_back("position", absl::StrCat(*e.position));
            }
          }
          if constexpr (std::is_same_v<T, ProductAddToCart>) {
            spec.type = kEventAddToCart;
          } else if constexpr (std::is_same_v<T, ProductDetailEnter>) {
            spec.type = kEventDetailEnter;
            if (e.recommendation_type.has_value()) {
              spec.context.emplace_back("surface", *e.recommendation_type);
            }
            if (e.model_name.has_value()) {
              spec.context.emplace_back("model", *e.model_name);
            }
            if (e.model_identifier.has_value()) {
              spec.context.emplace_back("model_version", *e.model_identifier);
            }
          } else if constexpr (std::is_same_v<T, ProductDetailLeave>) {
            spec.type = kEventDetailLeave;
            spec.value = e.time_spent;
          } else {
            spec.type = kEventRecommendationView;
            spec.context.emplace_back("surface", e.recommendation_type);
            spec.context.emplace_back("model_version", e.model_identifier);
          }
        }
      },
      object);
  RECPLAT_RETURN_IF_ERROR(RequireVariant(spec.sku, absl::StrCat(path, ".product_variant_sku")));
  RECPLAT_RETURN_IF_ERROR(AddEvent(std::move(spec), path));
  return AddObject(object, path);
}

absl::Status Planner::Add(const StoreObject& object, const std::string& path) {
  const bool deleted = IsDeleted(object);
  if (IsCatalogClass(object)) {
    plan_.train.insert("similarity");
  }
  if (const auto* variant = std::get_if<ProductVariant>(&object)) {
    RECPLAT_RETURN_IF_ERROR(api::CheckId(variant->sku, absl::StrCat(path, ".sku")));
    variants_[variant->sku] = !deleted;
    return AddObject(object, path);
  }
  if (const auto* product = std::get_if<Product>(&object)) {
    RECPLAT_RETURN_IF_ERROR(AddObject(object, path));
    if (!deleted) {
      for (size_t i = 0; i < product->product_translations.size(); ++i) {
        RECPLAT_RETURN_IF_ERROR(AddObject(product->product_translations[i],
                                          absl::StrCat(path, ".product_translations[", i, "]")));
      }
    }
    return absl::OkStatus();
  }
  if (const auto* order = std::get_if<Order>(&object)) {
    if (order->token.empty() || order->token.size() > Limits::kMaxDocumentKeyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".token: must be 1..", Limits::kMaxDocumentKeyBytes, " bytes"));
    }
    auto known = orders_.find(order->token);
    const bool is_new = !(known != orders_.end() ? known->second : mirror_.HasOrder(order->token));
    orders_[order->token] = !deleted;
    if (!deleted) {
      for (size_t j = 0; j < order->product_variants.size(); ++j) {
        const OrderLine& line = order->product_variants[j];
        RECPLAT_RETURN_IF_ERROR(
            RequireVariant(line.sku, absl::StrCat(path, ".product_variants[", j, "]")));
        // Order lines count once per order: an update of a known order re-sends no events.
        if (is_new) {
          RECPLAT_RETURN_IF_ERROR(AddEvent({kEventOrder, std::nullopt, order->session_id,
                                            line.sku, static_cast<double>(line.quantity),
                                            order->create_at, {}},
                                           path));
        }
      }
    }
    return AddObject(object, path);
  }
  if (const auto* review = std::get_if<Review>(&object)) {
    auto known = reviews_.find(review->id);
    const bool is_new = !(known != reviews_.end() ? known->second : mirror_.HasReview(review->id));
    reviews_[review->id] = !deleted;
    if (!deleted) {
      RECPLAT_RETURN_IF_ERROR(
          RequireVariant(review->product_variant_sku, absl::StrCat(path, ".product_variant_sku")));
      if (is_new) {
        RECPLAT_RETURN_IF_ERROR(AddEvent({kEventReview, review->user_id, review->session_id,
                                          review->product_variant_sku,
                                          static_cast<double>(review->rating), review->create_at,
                                          {}},
                                         path));
      }
      plan_.train.insert({"gru4rec", "ease"});
    }
    return AddObject(object, path);
  }
  if (const auto* config = std::get_if<EcosellerConfig>(&object)) {
    EcosellerConfig version = *config;
    version.id = mirror_.config_versions() + ++configs_;
    return AddObject(std::move(version), path);
  }
  if (const auto* item = std::get_if<TrainerQueueItem>(&object)) {
    if (deleted) {
      return absl::OkStatus();
    }
    if (IsEcosellerModelName(item->model_name)) {
      plan_.train.insert(item->model_name);
    }
    return AddObject(object, path);
  }
  if (std::holds_alternative<ProductAddToCart>(object) ||
      std::holds_alternative<ProductDetailEnter>(object) ||
      std::holds_alternative<ProductDetailLeave>(object) ||
      std::holds_alternative<RecommendationView>(object)) {
    if (deleted) {
      return absl::OkStatus();  // Events are immutable; there is nothing to delete.
    }
    if (std::holds_alternative<ProductDetailEnter>(object)) {
      plan_.train.insert("gru4rec");
    }
    return AddProductEvent(object, path);
  }
  // Attribute, AttributeType, Category, ProductPrice, ProductTranslation, ProductType.
  return AddObject(object, path);
}

}  // namespace

absl::StatusOr<StorePlan> PlanStore(const std::vector<StoreObject>& objects,
                                    const ShopMirror& mirror, const std::string& tenant,
                                    const std::function<uint32_t()>& discriminator,
                                    absl::Time now) {
  Planner planner(mirror, tenant, discriminator, now);
  for (size_t i = 0; i < objects.size(); ++i) {
    RECPLAT_RETURN_IF_ERROR(planner.Add(objects[i], absl::StrCat("objects[", i, "]")));
  }
  return planner.Finish();
}

}  // namespace recplat::http::ecoseller::shop
