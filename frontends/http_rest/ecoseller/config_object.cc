#include "frontends/http_rest/ecoseller/config_object.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/internal/object_parsers.h"
#include "frontends/http_rest/json_fields.h"

namespace recplat::http::ecoseller {
namespace {

using internal::FieldError;
using internal::IndexPath;
using internal::ObjectReader;
using nlohmann::json;

// A config field's camelCase alias and snake_case name; either may appear in the payload.
struct FieldKey {
  const char* alias;
  const char* name;
};

// A field with a default (absent keeps it, null is an error) that must be positive (or, with
// `allow_zero`, non-negative).
template <typename T>
absl::Status ReadNumber(const ObjectReader& reader, const FieldKey& key, bool allow_zero, T* out) {
  const absl::string_view present = reader.KeyOf(key.alias, key.name);
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted(present, out));
  return internal::CheckPositive(reader.PathOf(present), static_cast<double>(*out), allow_zero);
}

// A non-empty list of hyper-parameter options, each positive (or non-negative).
template <typename T>
absl::Status ReadOptions(const ObjectReader& reader, const FieldKey& key, bool allow_zero,
                         std::vector<T>* out) {
  const absl::string_view present = reader.KeyOf(key.alias, key.name);
  const std::string path = reader.PathOf(present);
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted(present, out));
  if (out->empty()) {
    return FieldError(path, "must list at least one option");
  }
  for (size_t i = 0; i < out->size(); ++i) {
    RECPLAT_RETURN_IF_ERROR(
        internal::CheckPositive(IndexPath(path, i), static_cast<double>((*out)[i]), allow_zero));
  }
  return absl::OkStatus();
}

// The configurable cascades (categoryListRetrievalCascade is not a setting: retrieval takes the
// category's variants; it is ignored like any extra field).
struct CascadeField {
  FieldKey key;
  std::vector<std::string> EcosellerConfig::*cascade;
};
constexpr CascadeField kCascades[] = {
    {{"homepageRetrievalCascade", "homepage_retrieval_cascade"},
     &EcosellerConfig::homepage_retrieval_cascade},
    {{"homepageScoringCascade", "homepage_scoring_cascade"},
     &EcosellerConfig::homepage_scoring_cascade},
    {{"categoryListScoringCascade", "category_list_scoring_cascade"},
     &EcosellerConfig::category_list_scoring_cascade},
    {{"productDetailRetrievalCascade", "product_detail_retrieval_cascade"},
     &EcosellerConfig::product_detail_retrieval_cascade},
    {{"productDetailScoringCascade", "product_detail_scoring_cascade"},
     &EcosellerConfig::product_detail_scoring_cascade},
    {{"cartRetrievalCascade", "cart_retrieval_cascade"}, &EcosellerConfig::cart_retrieval_cascade},
    {{"cartScoringCascade", "cart_scoring_cascade"}, &EcosellerConfig::cart_scoring_cascade},
};

// Optional[List[str]] of model names: absent or null keeps the default cascade.
absl::Status ReadCascade(const ObjectReader& reader, const FieldKey& key,
                         std::vector<std::string>* out) {
  const absl::string_view present = reader.KeyOf(key.alias, key.name);
  const std::string path = reader.PathOf(present);
  RECPLAT_RETURN_IF_ERROR(reader.NullableDefaulted(present, out));
  for (size_t i = 0; i < out->size(); ++i) {
    if (!IsEcosellerModelName((*out)[i])) {
      return FieldError(
          IndexPath(path, i),
          absl::StrCat("unknown model ", internal::QuoteForMessage((*out)[i]), ", expected one of ",
                       absl::StrJoin(kEcosellerModelNames, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseEaseFields(const ObjectReader& reader, EaseConfig* ease) {
  RECPLAT_RETURN_IF_ERROR(
      ReadOptions(reader, {"l2Options", "l2_options"}, /*allow_zero=*/true, &ease->l2_options));
  return ReadNumber(reader, {"reviewsMultiplier", "reviews_multiplier"}, /*allow_zero=*/true,
                    &ease->reviews_multiplier);
}

absl::Status ParseGru4RecFields(const ObjectReader& reader, Gru4RecConfig* gru) {
  RECPLAT_RETURN_IF_ERROR(ReadOptions(reader, {"numEpochsOptions", "num_epochs_options"},
                                      /*allow_zero=*/false, &gru->num_epochs_options));
  RECPLAT_RETURN_IF_ERROR(ReadOptions(reader, {"batchSizeOptions", "batch_size_options"},
                                      /*allow_zero=*/false, &gru->batch_size_options));
  RECPLAT_RETURN_IF_ERROR(ReadOptions(reader, {"embeddingSizeOptions", "embedding_size_options"},
                                      /*allow_zero=*/false, &gru->embedding_size_options));
  RECPLAT_RETURN_IF_ERROR(ReadOptions(reader, {"hiddenSizeOptions", "hidden_size_options"},
                                      /*allow_zero=*/false, &gru->hidden_size_options));
  RECPLAT_RETURN_IF_ERROR(ReadOptions(reader, {"learningRateOptions", "learning_rate_options"},
                                      /*allow_zero=*/false, &gru->learning_rate_options));
  RECPLAT_RETURN_IF_ERROR(ReadNumber(reader, {"incrementalTrainings", "incremental_trainings"},
                                     /*allow_zero=*/true, &gru->incremental_trainings));
  return ReadNumber(reader, {"eventsMultiplier", "events_multiplier"}, /*allow_zero=*/true,
                    &gru->events_multiplier);
}

json EaseJson(const EaseConfig& ease, bool by_alias) {
  return {{by_alias ? "l2Options" : "l2_options", ease.l2_options},
          {by_alias ? "reviewsMultiplier" : "reviews_multiplier", ease.reviews_multiplier}};
}

json Gru4RecJson(const Gru4RecConfig& gru, bool by_alias) {
  return {
      {by_alias ? "numEpochsOptions" : "num_epochs_options", gru.num_epochs_options},
      {by_alias ? "batchSizeOptions" : "batch_size_options", gru.batch_size_options},
      {by_alias ? "embeddingSizeOptions" : "embedding_size_options", gru.embedding_size_options},
      {by_alias ? "hiddenSizeOptions" : "hidden_size_options", gru.hidden_size_options},
      {by_alias ? "learningRateOptions" : "learning_rate_options", gru.learning_rate_options},
      {by_alias ? "incrementalTrainings" : "incremental_trainings", gru.incremental_trainings},
      {by_alias ? "eventsMultiplier" : "events_multiplier", gru.events_multiplier},
  };
}

// The fields both serialisations share; `by_alias` picks camelCase keys.
json CommonJson(const EcosellerConfig& config, bool by_alias) {
  json out = json::object();
  out[by_alias ? "retrievalSize" : "retrieval_size"] = config.retrieval_size;
  out[by_alias ? "orderingSize" : "ordering_size"] = config.ordering_size;
  out["models_disabled"] = json(config.models_disabled);
  for (const CascadeField& field : kCascades) {
    out[by_alias ? field.key.alias : field.key.name] = json(config.*field.cascade);
  }
  out[by_alias ? "easeConfig" : "ease_config"] = EaseJson(config.ease_config, by_alias);
  out[by_alias ? "gru4recConfig" : "gru4rec_config"] = Gru4RecJson(config.gru4rec_config, by_alias);
  return out;
}

}  // namespace

bool IsEcosellerModelName(absl::string_view name) {
  return std::find(kEcosellerModelNames.begin(), kEcosellerModelNames.end(), name) !=
         kEcosellerModelNames.end();
}

absl::StatusOr<RecommendationType> ParseRecommendationType(absl::string_view text) {
  for (RecommendationType type : {RecommendationType::kHomepage, RecommendationType::kCategoryList,
                                  RecommendationType::kProductDetail, RecommendationType::kCart}) {
    if (text == RecommendationTypeName(type)) {
      return type;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown recommendation_type ", internal::QuoteForMessage(text)));
}

absl::string_view RecommendationTypeName(RecommendationType type) {
  switch (type) {
    case RecommendationType::kHomepage:
      return "HOMEPAGE";
    case RecommendationType::kCategoryList:
      return "CATEGORY_LIST";
    case RecommendationType::kProductDetail:
      return "PRODUCT_DETAIL";
    case RecommendationType::kCart:
      return "CART";
  }
  return "";
}

absl::Span<const std::string> EcosellerConfig::CascadeFor(RecommendationType type,
                                                          PipelineStep step) const {
  const bool retrieval = step == PipelineStep::kRetrieval;
  switch (type) {
    case RecommendationType::kHomepage:
      return retrieval ? homepage_retrieval_cascade : homepage_scoring_cascade;
    case RecommendationType::kCategoryList:
      return retrieval ? absl::Span<const std::string>() : category_list_scoring_cascade;
    case RecommendationType::kProductDetail:
      return retrieval ? product_detail_retrieval_cascade : product_detail_scoring_cascade;
    case RecommendationType::kCart:
      return retrieval ? cart_retrieval_cascade : cart_scoring_cascade;
  }
  return {};
}

bool EcosellerConfig::IsDisabled(absl::string_view model) const {
  const auto it = models_disabled.find(std::string(model));
  return it != models_disabled.end() && it->second;
}

json EcosellerConfig::ToDashboardJson() const { return CommonJson(*this, /*by_alias=*/true); }

json EcosellerConfig::ToStoredJson() const {
  json out = CommonJson(*this, /*by_alias=*/false);
  out["create_at"] = internal::FormatDateTime(create_at);
  out["deleted"] = deleted;
  if (id.has_value()) {
    out["id"] = *id;
  }
  return out;
}

absl::StatusOr<EcosellerConfig> ParseEcosellerConfig(const json& object, absl::Time now) {
  if (!object.is_object()) {
    return FieldError("", internal::TypeMismatch("an object", object));
  }
  return internal::ParseConfigObject(ObjectReader(object, ""), internal::TruncateToMicros(now));
}

namespace internal {

absl::StatusOr<EcosellerConfig> ParseConfigObject(const ObjectReader& reader, absl::Time now) {
  EcosellerConfig config;
  RECPLAT_RETURN_IF_ERROR(reader.Optional("id", &config.id));
  config.create_at = now;
  RECPLAT_RETURN_IF_ERROR(
      reader.NullableDefaulted(reader.KeyOf("createAt", "create_at"), &config.create_at));
  RECPLAT_RETURN_IF_ERROR(ReadNumber(reader, {"retrievalSize", "retrieval_size"},
                                     /*allow_zero=*/false, &config.retrieval_size));
  RECPLAT_RETURN_IF_ERROR(ReadNumber(reader, {"orderingSize", "ordering_size"},
                                     /*allow_zero=*/false, &config.ordering_size));
  RECPLAT_RETURN_IF_ERROR(reader.DefaultedMap(reader.KeyOf("modelsDisabled", "models_disabled"),
                                               "an object of model name -> boolean",
                                               &config.models_disabled));
  for (const CascadeField& field : kCascades) {
    RECPLAT_RETURN_IF_ERROR(ReadCascade(reader, field.key, &(config.*field.cascade)));
  }
  RECPLAT_RETURN_IF_ERROR(reader.Nested(reader.KeyOf("easeConfig", "ease_config"),
                                         &config.ease_config, ParseEaseFields));
  RECPLAT_RETURN_IF_ERROR(reader.Nested(reader.KeyOf("gru4recConfig", "gru4rec_config"),
                                         &config.gru4rec_config, ParseGru4RecFields));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &config.deleted));
  return config;
}

}  // namespace internal
}  // namespace recplat::http::ecoseller
