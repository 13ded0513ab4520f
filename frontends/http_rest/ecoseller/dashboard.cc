// File: dashboard.cc
//
// Dashboard: the model list and the three pages, each encoding the core's figures (see
// dashboard.h).
#include "frontends/http_rest/ecoseller/dashboard.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/store_codec.h"
#include "frontends/http_rest/time_params.h"

namespace recplat::http::ecoseller {
namespace {

using ::nlohmann::json;

struct ModelText {
  absl::string_view name;
  absl::string_view title;
  absl::string_view description;
  // One of the original's trained families (similarity, gru4rec, ease).
  bool trained_family;
};

// Same order as kEcosellerModelNames.
constexpr ModelText kModelTexts[] = {
    {"dummy", "Dummy",
     "Fallback used when no other model is ready: in-stock product variants in catalog order.",
     false},
    {"selection", "Selection",
     "Random in-stock product variants, favouring those with a higher recommendation weight.",
     false},
    {"popularity", "Popularity", "The product variants ordered most often.", false},
    {"similarity", "Similarity",
     "Content-based: the product variants closest to the viewed or carted ones by price and "
     "attributes.",
     true},
    {"gru4rec", "GRU4Rec",
     "Session-based: a recurrent network that predicts the next product variant from the "
     "variants visited in the session.",
     true},
    {"ease", "EASE",
     "Collaborative filtering: a shallow linear autoencoder learned from users' reviews.", true},
};
static_assert(std::size(kModelTexts) == kEcosellerModelNames.size());

// The original's data rule for starting a training of a trained family.
bool ReadyForTraining(absl::string_view model, const EcosellerConfig& config,
                      const ShopCounts& counts) {
  const double variants = static_cast<double>(counts.variants);
  if (model == "similarity") return counts.variants > 0;
  if (model == "ease") {
    return static_cast<double>(counts.reviews) > config.ease_config.reviews_multiplier * variants;
  }
  if (model == "gru4rec") {
    return static_cast<double>(counts.detail_enters) >
           config.gru4rec_config.events_multiplier * variants;
  }
  return false;
}

bool HasCurrentVersion(const std::vector<v1::ModelVersion>& versions) {
  return std::any_of(versions.begin(), versions.end(), [](const v1::ModelVersion& v) {
    return v.status() == v1::MODEL_STATUS_CURRENT && v.version() > 0;
  });
}

json AvgMax(const v1::ValueSummary& summary, double unit = 1.0) {
  return {{"avg", summary.avg() / unit}, {"max", summary.max() / unit}};
}

json PerformanceJson(const v1::ServedFigures& f, int64_t variants) {
  return {{"k", kDashboardK},
          {"data",
           {{"hitRate", f.hit_rate()},
            {"futureHitRate", f.future_hit_rate()},
            {"coverage", static_cast<double>(f.covered_items()) /
                             static_cast<double>(std::max<int64_t>(variants, 1))},
            {"predictions", f.predictions()},
            {"retrievalDuration", AvgMax(f.retrieval_seconds())},
            {"scoringDuration", AvgMax(f.scoring_seconds())}}}};
}

json TrainingJson(const v1::TrainingFigures& f) {
  constexpr double kBytesPerMiB = 1024.0 * 1024.0;
  return {{"data",
           {{"trainings",
             {{"started", f.started()}, {"completed", f.completed()}, {"failed", f.failed()}}},
            {"peakMemory", AvgMax(f.peak_memory_bytes(), kBytesPerMiB)},
            {"peakMemoryPercentage", AvgMax(f.peak_memory_percent())},
            {"duration", AvgMax(f.duration_seconds())}}}};
}

// {<model>: encode(its figures, zeros when absent)} for every listed model (all but dummy).
template <typename Figures, typename Map, typename Encode>
json ModelSpecific(const Map& models, Encode encode) {
  json out = json::object();
  for (absl::string_view name : kEcosellerModelNames) {
    if (name == "dummy") continue;
    auto it = models.find(std::string(name));
    out[std::string(name)] = encode(it == models.end() ? Figures::default_instance() : it->second);
  }
  return out;
}

const json& PerformanceInfoJson() {
  // The original's field titles; the page substitutes "%k%" with `k`.
  static const json* const kInfo = new json{
      {"hitRate",
       {{"title", "Hit rate @ %k%"},
        {"description", "How often users click on one of top %k% recommended products."}}},
      {"futureHitRate",
       {{"title", "Future hit rate @ %k%"},
        {"description",
         "How often users visit one of top %k% recommended products during the rest of their "
         "session."}}},
      {"coverage",
       {{"title", "Coverage"},
        {"description", "What fraction of the product variant catalogue was recommended."}}}};
  return *kInfo;
}

}  // namespace

struct Dashboard::Facts {
  EcosellerConfig config;
  ShopCounts counts;
  // Versions per name of kEcosellerModelNames (same order); nullopt: not configured.
  std::vector<std::optional<std::vector<v1::ModelVersion>>> versions;

  // The names the statistics pages list (every ecoseller name but dummy) that the core
  // configures.
  std::vector<std::string> ConfiguredListed() const {
    std::vector<std::string> names;
    for (size_t i = 0; i < kEcosellerModelNames.size(); ++i) {
      if (kEcosellerModelNames[i] != "dummy" && versions[i].has_value()) {
        names.emplace_back(kEcosellerModelNames[i]);
      }
    }
    return names;
  }

  // The "models" array; `include_dummy` only for the configuration page.
  json ModelsJson(bool include_dummy) const {
    json models = json::array();
    for (size_t i = 0; i < std::size(kModelTexts); ++i) {
      const ModelText& text = kModelTexts[i];
      if (!include_dummy && text.name == "dummy") continue;
      const bool configured = versions[i].has_value();
      const bool can_be_trained = text.trained_family && configured;
      const bool trained = configured && (!text.trained_family || HasCurrentVersion(*versions[i]));
      models.push_back({
          {"name", text.name},
          {"title", text.title},
          {"description", text.description},
          {"disabled", config.IsDisabled(text.name)},
          {"canBeTrained", can_be_trained},
          {"isReadyForTraining", can_be_trained && ReadyForTraining(text.name, config, counts)},
          {"isTrained", trained},
      });
    }
    return models;
  }
};

Dashboard::Dashboard(api::Api* api, ShopReads* reads) : api_(api), reads_(reads) {}

absl::StatusOr<Dashboard::Facts> Dashboard::ReadFacts() {
  Facts facts;
  RECPLAT_ASSIGN_OR_RETURN(std::shared_ptr<const EcosellerConfig> config, reads_->CurrentConfig());
  facts.config = *config;
  RECPLAT_ASSIGN_OR_RETURN(facts.counts, reads_->Counts());
  for (absl::string_view name : kEcosellerModelNames) {
    absl::StatusOr<std::vector<v1::ModelVersion>> versions = reads_->Versions(name);
    if (versions.ok()) {
      facts.versions.emplace_back(*std::move(versions));
    } else if (absl::IsNotFound(versions.status())) {
      facts.versions.emplace_back(std::nullopt);
    } else {
      return versions.status();
    }
  }
  return facts;
}

absl::StatusOr<json> Dashboard::Configuration() {
  RECPLAT_ASSIGN_OR_RETURN(const Facts facts, ReadFacts());
  return json{{"models", facts.ModelsJson(/*include_dummy=*/true)},
              {"config", facts.config.ToDashboardJson()},
              {"info", EcosellerConfigInfoJson()}};
}

absl::StatusOr<json> Dashboard::Performance(absl::Time from, absl::Time to) {
  if (from > to) return absl::InvalidArgumentError("date_from is after date_to");
  RECPLAT_ASSIGN_OR_RETURN(const Facts facts, ReadFacts());
  v1::EvaluateServedResponse figures;  // All zeros when the range holds no millisecond.
  if (std::optional<MillisRange> range = ToMillisRange({from, to})) {
    v1::EvaluateServedRequest request;
    request.set_tenant(reads_->tenant());
    request.set_from_ms(range->from_ms);
    request.set_to_ms(range->to_ms);
    request.set_k(kDashboardK);
    v1::ClickAttribution* clicks = request.mutable_clicks();
    clicks->set_event_type(std::string(kEventDetailEnter));
    clicks->set_model_key(std::string(kContextModel));
    clicks->set_surface_key(std::string(kContextSurface));
    clicks->set_position_key(std::string(kContextPosition));
    for (absl::string_view name : kEcosellerModelNames) {
      if (name != "dummy") request.add_models(std::string(name));
    }
    RECPLAT_ASSIGN_OR_RETURN(figures, api_->EvaluateServed(request));
  }
  auto encode = [&facts](const v1::ServedFigures& f) {
    return PerformanceJson(f, facts.counts.variants);
  };
  return json{{"models", facts.ModelsJson(/*include_dummy=*/false)},
              {"performance",
               {{"general", encode(figures.general())},
                {"modelSpecific", ModelSpecific<v1::ServedFigures>(figures.models(), encode)}}},
              {"info", PerformanceInfoJson()}};
}

absl::StatusOr<json> Dashboard::Training(absl::Time from, absl::Time to) {
  if (from > to) return absl::InvalidArgumentError("date_from is after date_to");
  RECPLAT_ASSIGN_OR_RETURN(const Facts facts, ReadFacts());
  v1::ModelTrainingStatsResponse figures;  // All zeros without a range or a configured model.
  const std::vector<std::string> configured = facts.ConfiguredListed();
  const std::optional<MillisRange> range = ToMillisRange({from, to});
  if (range.has_value() && !configured.empty()) {
    v1::ModelTrainingStatsRequest request;
    request.set_tenant(reads_->tenant());
    request.set_from_ms(range->from_ms);
    request.set_to_ms(range->to_ms);
    for (const std::string& name : configured) request.add_models(name);
    RECPLAT_ASSIGN_OR_RETURN(figures, api_->ModelTrainingStats(request));
  }
  return json{{"models", facts.ModelsJson(/*include_dummy=*/false)},
              {"training",
               {{"general", TrainingJson(figures.general())},
                {"modelSpecific",
                 ModelSpecific<v1::TrainingFigures>(figures.models(), TrainingJson)}}}};
}

}  // namespace recplat::http::ecoseller
