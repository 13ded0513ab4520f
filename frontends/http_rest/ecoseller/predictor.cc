#include "frontends/http_rest/ecoseller/predictor.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/json.h"
#include "core/common/status_macros.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {
namespace {

using nlohmann::json;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::StatusOr<std::optional<int64_t>> OptionalInt(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (std::optional<int64_t> v = common::JsonInteger(*it)) return v;
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

std::string EncodePredictions(const std::vector<PredictedItem>& items,
                              absl::string_view recommendation_type) {
  std::string out = "[";
  out.reserve(64 + items.size() * 160);
  for (size_t i = 0; i < items.size(); ++i) {
    const PredictedItem& item = items[i];
    if (i > 0) out.push_back(',');
    out.append("{\"product_variant_sku\":");
    common::AppendJsonString(&out, item.sku);
    out.append(",\"rs_info\":{");
    if (!item.model_name.empty()) {
      out.append("\"model_identifier\":");
      common::AppendJsonString(&out, item.model_identifier);
      out.append(",\"model_name\":");
      common::AppendJsonString(&out, item.model_name);
      absl::StrAppend(&out, ",\"position\":", item.position, ",\"recommendation_type\":");
      common::AppendJsonString(&out, recommendation_type);
    }
    out.append("}}");
  }
  out.push_back(']');
  return out;
}

Predictor::Predictor(api::Api* api, ShopReads* reads) : api_(api), reads_(reads) {}

v1::RecommendRequest Predictor::ToRecommendRequest(const PredictRequest& request,
                                                   const EcosellerConfig& config) {
  // REQUIRES: a request ParsePredictRequest accepted.
  const RecommendationType type = *ParseRecommendationType(request.recommendation_type);
  v1::RecommendRequest rec;
  rec.set_tenant(reads_->tenant());
  rec.set_surface(request.recommendation_type);
  rec.set_session_id(request.session_id);
  if (request.user_id.has_value()) rec.set_user_id(absl::StrCat(*request.user_id));
  // The core leaves out the models its profile does not configure.
  rec.set_skip_unconfigured_models(true);
  for (PipelineStep step : {PipelineStep::kRetrieval, PipelineStep::kScoring}) {
    auto* cascade = step == PipelineStep::kRetrieval ? rec.mutable_retrieval_models()
                                                     : rec.mutable_scoring_models();
    for (const std::string& name : config.CascadeFor(type, step)) {
      if (!config.IsDisabled(name) && name != "dummy") *cascade->Add() = name;
    }
    *cascade->Add() = "dummy";
  }
  int64_t k = request.limit.value_or(config.retrieval_size);
  switch (type) {
    case RecommendationType::kCategoryList:
      rec.mutable_query()->add_categories(absl::StrCat("category:", *request.category_id));
      rec.clear_retrieval_models();  // The query names the candidates.
      k = request.limit.value_or(kMaxPredictK);
      break;
    case RecommendationType::kProductDetail:
      for (const std::string& sku : request.variants) rec.add_anchor_item_ids(sku);
      rec.set_anchor_choice(v1::ANCHORS_RANDOM_ONE);
      rec.set_require_known_anchor(true);
      break;
    case RecommendationType::kCart:
      for (const std::string& sku : request.variants_in_cart) rec.add_anchor_item_ids(sku);
      rec.set_anchor_choice(v1::ANCHORS_RANDOM_FIRST);
      rec.set_require_known_anchor(!request.variants_in_cart.empty());
      break;
    case RecommendationType::kHomepage:
      break;
  }
  rec.set_k(static_cast<int32_t>(std::clamp<int64_t>(k, 0, kMaxPredictK)));
  if (config.ordering_size > 0) {
    // The core skips it while the model is untrained, as the original did.
    rec.set_diversity_model("similarity");
    rec.set_diversity_head(static_cast<int32_t>(std::min(config.ordering_size, kMaxPredictK)));
  }
  return rec;
}

absl::StatusOr<std::vector<PredictedItem>> Predictor::Predict(const PredictRequest& request) {
  RECPLAT_ASSIGN_OR_RETURN(std::shared_ptr<const EcosellerConfig> current,
                           reads_->CurrentConfig());
  const EcosellerConfig& config = *current;
  const v1::RecommendRequest rec = ToRecommendRequest(request, config);
  if (rec.k() <= 0) return std::vector<PredictedItem>();
  absl::StatusOr<v1::RecommendResponse> got = api_->Recommend(rec);
  if (absl::IsNotFound(got.status()) &&
      absl::StrContains(got.status().message(), "no known anchor")) {
    const bool detail = request.recommendation_type == "PRODUCT_DETAIL";
    const std::vector<std::string>& skus = detail ? request.variants : request.variants_in_cart;
    return absl::NotFoundError(absl::StrCat(detail ? "variants" : "variants_in_cart",
                                            ": no known variant among [",
                                            absl::StrJoin(skus, ", "), "]"));
  }
  if (!got.ok()) return got.status();
  if (got->items_size() == 0 && request.category_id.has_value() &&
      request.recommendation_type == "CATEGORY_LIST") {
    RECPLAT_ASSIGN_OR_RETURN(bool known, reads_->HasCategory(*request.category_id));
    if (!known) {
      return absl::NotFoundError(
          absl::StrCat("category_id: unknown category ", *request.category_id));
    }
  }
  const bool bare = got->cached() && request.recommendation_type == "CATEGORY_LIST";
  const bool scored = !got->scoring_model().empty();
  const std::string model = scored ? got->scoring_model() : got->retrieval_model();
  const std::string identifier =
      bare ? "" : reads_->Identifier(model, scored ? got->scoring_model_version()
                                                   : got->retrieval_model_version());
  std::vector<PredictedItem> out;
  out.reserve(got->items_size());
  for (const v1::RecommendedItem& item : got->items()) {
    out.push_back({item.item_id(), bare ? "" : model, identifier, item.position()});
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> Predictor::ProductPositions(
    const PredictRequest& request) {
  if (request.recommendation_type != "CATEGORY_LIST") {
    return Invalid("recommendation_type", "must be CATEGORY_LIST for product positions");
  }
  PredictRequest all = request;
  all.limit.reset();
  RECPLAT_ASSIGN_OR_RETURN(std::vector<PredictedItem> predicted, Predict(all));
  absl::flat_hash_map<std::string, int64_t> position;
  for (size_t i = 0; i < predicted.size(); ++i) {
    position.emplace(predicted[i].sku, static_cast<int64_t>(i));
  }
  const int64_t missing = static_cast<int64_t>(predicted.size());
  // Every live variant of the category (out-of-stock ones too), by product.
  std::map<int64_t, int64_t> best;
  v1::ListItemsRequest list;
  list.set_tenant(reads_->tenant());
  list.set_page_size(1000);
  list.mutable_query()->add_categories(absl::StrCat("category:", *request.category_id));
  while (true) {
    RECPLAT_ASSIGN_OR_RETURN(v1::ListItemsResponse page, api_->ListItems(list));
    for (const v1::Item& item : page.items()) {
      auto attr = item.categorical_attributes().find("product_id");
      int64_t product = 0;
      if (attr == item.categorical_attributes().end() ||
          !absl::SimpleAtoi(attr->second, &product)) {
        continue;
      }
      auto at = position.find(item.id());
      const int64_t p = at == position.end() ? missing : at->second;
      auto [it, inserted] = best.emplace(product, p);
      if (!inserted) it->second = std::min(it->second, p);
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  return std::vector<std::pair<int64_t, int64_t>>(best.begin(), best.end());
}

}  // namespace recplat::http::ecoseller
