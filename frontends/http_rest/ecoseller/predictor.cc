#include "frontends/http_rest/ecoseller/predictor.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {
namespace {

using nlohmann::json;

// Models the ecoseller names without a version in their identifier.
bool BareIdentifier(absl::string_view model) {
  return model == "dummy" || model == "selection" || model == "popularity";
}

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::StatusOr<std::optional<int64_t>> OptionalInt(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  if (it->is_string()) {
    int64_t v = 0;
    if (absl::SimpleAtoi(it->get<std::string>(), &v)) return std::optional<int64_t>(v);
  }
  return Invalid(key, absl::StrCat("expected an integer, got ", it->type_name()));
}

absl::StatusOr<std::vector<std::string>> SkuList(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return Invalid(key, absl::StrCat("expected a list, got ", it->type_name()));
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_number_integer()) {
      out.push_back(std::to_string(v.get<int64_t>()));
    } else {
      return Invalid(absl::StrCat(key, "[", i, "]"),
                     absl::StrCat("expected a string, got ", v.type_name()));
    }
  }
  return out;
}

}  // namespace

struct Predictor::CacheEntry {
  std::list<std::string>::iterator lru_pos;
  absl::Time stored;
  std::vector<PredictedItem> items;
};

absl::StatusOr<PredictRequest> ParsePredictRequest(absl::string_view body) {
  json obj = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return absl::InvalidArgumentError("body: invalid JSON");
  if (!obj.is_object()) return absl::InvalidArgumentError("body: expected a JSON object");
  PredictRequest r;
  auto type = obj.find("recommendation_type");
  if (type == obj.end() || type->is_null()) return Invalid("recommendation_type", "required");
  if (!type->is_string()) return Invalid("recommendation_type", "expected a string");
  r.recommendation_type = type->get<std::string>();
  if (!ParseRecommendationType(r.recommendation_type).ok()) {
    return Invalid("recommendation_type",
                   absl::StrCat("unknown type '", r.recommendation_type,
                                "' (HOMEPAGE, PRODUCT_DETAIL, CATEGORY_LIST or CART)"));
  }
  auto session = obj.find("session_id");
  if (session == obj.end() || session->is_null()) return Invalid("session_id", "required");
  if (session->is_string()) {
    r.session_id = session->get<std::string>();
  } else if (session->is_number_integer()) {
    r.session_id = std::to_string(session->get<int64_t>());
  } else {
    return Invalid("session_id", "expected a string");
  }
  if (!obj.contains("user_id")) return Invalid("user_id", "required (may be null)");
  auto user = OptionalInt(obj, "user_id");
  if (!user.ok()) return user.status();
  r.user_id = *user;
  auto limit = OptionalInt(obj, "limit");
  if (!limit.ok()) return limit.status();
  if (limit->has_value() && **limit < 0) return Invalid("limit", "must be >= 0");
  r.limit = *limit;
  auto category = OptionalInt(obj, "category_id");
  if (!category.ok()) return category.status();
  r.category_id = *category;
  auto variants = SkuList(obj, "variants");
  if (!variants.ok()) return variants.status();
  r.variants = std::move(*variants);
  auto cart = SkuList(obj, "variants_in_cart");
  if (!cart.ok()) return cart.status();
  r.variants_in_cart = std::move(*cart);
  if (r.recommendation_type == "CATEGORY_LIST" && !r.category_id.has_value()) {
    return Invalid("category_id", "required for CATEGORY_LIST");
  }
  if (r.recommendation_type == "PRODUCT_DETAIL" && r.variants.empty()) {
    return Invalid("variants", "required for PRODUCT_DETAIL (the viewed product's SKUs)");
  }
  return r;
}

Predictor::Predictor(api::Api* api, ShopStore* shop, PredictorOptions options)
    : api_(api), shop_(shop), options_(std::move(options)) {}

Predictor::~Predictor() = default;

void Predictor::RefreshModels() {
  absl::MutexLock lock(&models_mu_);
  configured_.clear();
  for (absl::string_view name : kEcosellerModelNames) {
    v1::ListModelsRequest req;
    req.set_tenant(options_.tenant);
    req.set_model(std::string(name));
    absl::StatusOr<v1::ListModelsResponse> got = api_->ListModels(req);
    if (!got.ok()) continue;  // NOT_FOUND: not configured in this profile.
    configured_.insert(std::string(name));
    for (const v1::ModelVersion& v : got->versions()) {
      identifiers_[absl::StrCat(v.model(), "@", v.version())] = absl::StrCat(
          v.model(), "_",
          absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixMillis(v.created_at_ms()),
                           absl::UTCTimeZone()));
    }
  }
  models_refreshed_ = absl::Now();
}

std::string Predictor::Identifier(const std::string& model, int64_t version) {
  if (BareIdentifier(model) || version <= 0) return model;
  const std::string key = absl::StrCat(model, "@", version);
  {
    absl::MutexLock lock(&models_mu_);
    auto it = identifiers_.find(key);
    if (it != identifiers_.end()) return it->second;
  }
  RefreshModels();
  absl::MutexLock lock(&models_mu_);
  auto it = identifiers_.find(key);
  return it != identifiers_.end() ? it->second : absl::StrCat(model, "_", version);
}

std::vector<std::string> Predictor::Cascade(const EcosellerConfig& config, RecommendationType type,
                                            PipelineStep step, const PredictRequest& request,
                                            const ShopCounts& counts) {
  bool stale;
  {
    absl::MutexLock lock(&models_mu_);
    stale = absl::Now() - models_refreshed_ > absl::Seconds(5);
  }
  if (stale) RefreshModels();
  std::vector<std::string> out;
  absl::MutexLock lock(&models_mu_);
  for (const std::string& name : config.CascadeFor(type, step)) {
    if (config.IsDisabled(name) || !configured_.contains(name)) continue;
    if (name == "popularity" && counts.orders <= counts.variants) continue;
    if (name == "similarity" && type == RecommendationType::kCart &&
        request.variants_in_cart.empty()) {
      continue;
    }
    if (name == "gru4rec" && request.session_id.empty()) continue;
    if (name == "ease" && !request.user_id.has_value()) continue;
    out.push_back(name);
  }
  if (out.empty() || out.back() != "dummy") out.push_back("dummy");
  return out;
}

absl::StatusOr<std::vector<PredictedItem>> Predictor::Predict(const PredictRequest& request) {
  const absl::Time started = absl::Now();
  auto type_or = ParseRecommendationType(request.recommendation_type);
  if (!type_or.ok()) return type_or.status();
  const RecommendationType type = *type_or;
  const std::string cache_key =
      type == RecommendationType::kCategoryList
          ? absl::StrCat(*request.category_id, "_", request.session_id)
          : std::string();
  if (!cache_key.empty() && options_.cache_size > 0) {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && started - it->second->stored < options_.cache_ttl) {
      lru_.splice(lru_.begin(), lru_, it->second->lru_pos);
      std::vector<PredictedItem> hit = it->second->items;
      for (PredictedItem& p : hit) {
        p.model_name.clear();
        p.model_identifier.clear();
      }
      if (request.limit.has_value() && hit.size() > static_cast<size_t>(*request.limit)) {
        hit.resize(static_cast<size_t>(*request.limit));
      }
      return hit;
    }
  }

  const EcosellerConfig config = shop_->CurrentConfig();
  const ShopCounts counts = shop_->Counts();
  v1::RecommendRequest rec;
  rec.set_tenant(options_.tenant);
  rec.set_surface(request.recommendation_type);
  rec.set_session_id(request.session_id);
  if (request.user_id.has_value()) rec.set_user_id(std::to_string(*request.user_id));
  rec.set_dry_run(true);
  int64_t k = request.limit.value_or(config.retrieval_size);

  auto known = [&](const std::vector<std::string>& skus) {
    std::vector<std::string> out;
    for (const std::string& sku : skus) {
      if (shop_->Variant(sku).has_value()) out.push_back(sku);
    }
    return out;
  };
  thread_local std::mt19937_64 rng{std::random_device{}()};
  switch (type) {
    case RecommendationType::kCategoryList: {
      std::vector<std::string> skus = shop_->VariantsInCategory(*request.category_id);
      // Unpublished products are not listed (out-of-stock ones are, last).
      std::erase_if(skus, [&](const std::string& sku) {
        std::optional<VariantView> v = shop_->Variant(sku);
        return !v.has_value() || !v->published;
      });
      if (skus.empty()) {
        if (!shop_->HasCategory(*request.category_id)) {
          return absl::NotFoundError(
              absl::StrCat("category_id: unknown category ", *request.category_id));
        }
        return std::vector<PredictedItem>();
      }
      k = static_cast<int64_t>(skus.size());
      for (std::string& sku : skus) rec.add_candidate_item_ids(std::move(sku));
      break;
    }
    case RecommendationType::kProductDetail: {
      std::vector<std::string> skus = known(request.variants);
      if (skus.empty()) {
        return absl::NotFoundError(absl::StrCat("variants: no known variant among [",
                                                absl::StrJoin(request.variants, ", "), "]"));
      }
      rec.add_anchor_item_ids(skus[rng() % skus.size()]);
      for (const std::string& sku : request.variants) rec.add_exclude_item_ids(sku);
      break;
    }
    case RecommendationType::kCart: {
      std::vector<std::string> skus = known(request.variants_in_cart);
      if (skus.empty() && !request.variants_in_cart.empty()) {
        return absl::NotFoundError(absl::StrCat("variants_in_cart: no known variant among [",
                                                absl::StrJoin(request.variants_in_cart, ", "),
                                                "]"));
      }
      if (!skus.empty()) std::swap(skus[0], skus[rng() % skus.size()]);
      for (const std::string& sku : skus) rec.add_anchor_item_ids(sku);
      break;
    }
    case RecommendationType::kHomepage:
      break;
  }
  for (const std::string& m : Cascade(config, type, PipelineStep::kRetrieval, request, counts)) {
    rec.add_retrieval_models(m);
  }
  for (const std::string& m : Cascade(config, type, PipelineStep::kScoring, request, counts)) {
    rec.add_scoring_models(m);
  }
  if (k <= 0) return std::vector<PredictedItem>();
  // Ordering (a): diversity re-rank of the head by the content-similarity model, when the profile
  // has one (the core skips it while it is untrained, as the original did).
  bool similarity_configured;
  {
    absl::MutexLock lock(&models_mu_);
    similarity_configured = configured_.contains("similarity");
  }
  if (similarity_configured && config.ordering_size > 0) {
    rec.set_diversity_model("similarity");
    // The engine re-ranks the head of all scored candidates before truncating to k.
    rec.set_diversity_head(static_cast<int32_t>(std::min<int64_t>(config.ordering_size, 100000)));
  }
  rec.set_k(static_cast<int32_t>(std::min<int64_t>(k, 100000)));
  absl::StatusOr<v1::RecommendResponse> got = api_->Recommend(rec);
  if (!got.ok()) return got.status();

  const absl::Time ordering_start = absl::Now();
  std::vector<const v1::RecommendedItem*> order;
  order.reserve(got->items_size());
  for (const v1::RecommendedItem& item : got->items()) order.push_back(&item);
  if (type == RecommendationType::kCategoryList) {
    std::stable_partition(order.begin(), order.end(), [&](const v1::RecommendedItem* item) {
      std::optional<VariantView> v = shop_->Variant(item->item_id());
      return v.has_value() && v->stock_quantity > 0;
    });
  }
  const std::string scoring_model =
      got->scoring_model().empty() ? got->retrieval_model() : got->scoring_model();
  const std::string identifier = Identifier(
      scoring_model, got->scoring_model().empty() ? got->retrieval_model_version()
                                                  : got->scoring_model_version());
  std::vector<PredictedItem> out;
  out.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    out.push_back({order[i]->item_id(), scoring_model, identifier, static_cast<int64_t>(i)});
  }
  if (!cache_key.empty() && options_.cache_size > 0) {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) {
      lru_.erase(it->second->lru_pos);
      cache_.erase(it);
    }
    lru_.push_front(cache_key);
    auto entry = std::make_unique<CacheEntry>();
    entry->lru_pos = lru_.begin();
    entry->stored = started;
    entry->items = out;
    cache_[cache_key] = std::move(entry);
    while (cache_.size() > options_.cache_size) {
      cache_.erase(lru_.back());
      lru_.pop_back();
    }
  }
  if (request.limit.has_value() && out.size() > static_cast<size_t>(*request.limit)) {
    out.resize(static_cast<size_t>(*request.limit));
  }

  PredictionRecord record;
  record.create_at = started;
  record.session_id = request.session_id;
  record.user_id = request.user_id;
  record.recommendation_type = request.recommendation_type;
  record.retrieval_model = got->retrieval_model();
  record.retrieval_identifier = Identifier(got->retrieval_model(), got->retrieval_model_version());
  record.scoring_model = scoring_model;
  record.scoring_identifier = identifier;
  record.retrieval_seconds = got->retrieval_seconds();
  record.scoring_seconds = got->scoring_seconds();
  record.ordering_seconds =
      got->ordering_seconds() + absl::ToDoubleSeconds(absl::Now() - ordering_start);
  record.predicted_items.reserve(out.size());
  for (const PredictedItem& p : out) record.predicted_items.push_back(p.sku);
  shop_->RecordPrediction(std::move(record));
  return out;
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> Predictor::ProductPositions(
    const PredictRequest& request) {
  if (request.recommendation_type != "CATEGORY_LIST") {
    return Invalid("recommendation_type", "must be CATEGORY_LIST for product positions");
  }
  PredictRequest all = request;
  all.limit.reset();
  absl::StatusOr<std::vector<PredictedItem>> predicted = Predict(all);
  if (!predicted.ok()) return predicted.status();
  absl::flat_hash_map<std::string, int64_t> position;
  for (const PredictedItem& p : *predicted) position.emplace(p.sku, p.position);
  const int64_t missing = static_cast<int64_t>(predicted->size());
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [product, skus] : shop_->ProductsInCategory(*request.category_id)) {
    int64_t best = missing;
    for (const std::string& sku : skus) {
      auto it = position.find(sku);
      if (it != position.end()) best = std::min(best, it->second);
    }
    out.emplace_back(product, best);
  }
  return out;
}

}  // namespace recplat::http::ecoseller
