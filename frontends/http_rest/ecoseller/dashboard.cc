// File: dashboard.cc
//
// Dashboard: date parsing, the model list, the configuration page and the training page. The
// performance page is in dashboard_performance.cc.
#include "frontends/http_rest/ecoseller/dashboard.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/internal/dashboard_stats.h"

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

absl::Status BadDate(absl::string_view param, absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat(param, ": expected a date like 2023-08-01T00:00:00.000Z, got \"", text, "\""));
}

}  // namespace

absl::StatusOr<absl::Time> ParseDashboardDate(absl::string_view text, absl::string_view param) {
  absl::string_view value = absl::StripAsciiWhitespace(text);
  if (!value.empty() && (value.back() == 'Z' || value.back() == 'z')) value.remove_suffix(1);
  // absl::ParseTime rejects out-of-range fields (month 13, Feb 30, 24:00) and trailing text.
  // "%E*S" takes seconds with any number of fraction digits, or none.
  static constexpr absl::string_view kFormats[] = {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%d %H:%M:%E*S",
                                                   "%Y-%m-%d"};
  const std::string input(value);
  for (absl::string_view format : kFormats) {
    absl::Time parsed;
    std::string error;
    if (!input.empty() && absl::ParseTime(format, input, absl::UTCTimeZone(), &parsed, &error)) {
      return parsed;
    }
  }
  return BadDate(param, text);
}

absl::StatusOr<DashboardDateRange> ParseDashboardDateRange(
    std::optional<absl::string_view> date_from, std::optional<absl::string_view> date_to,
    absl::Time now) {
  DashboardDateRange range{absl::UnixEpoch(), now};
  if (date_from.has_value()) {
    RECPLAT_ASSIGN_OR_RETURN(range.from, ParseDashboardDate(*date_from, "date_from"));
  }
  if (date_to.has_value()) {
    RECPLAT_ASSIGN_OR_RETURN(range.to, ParseDashboardDate(*date_to, "date_to"));
  }
  if (range.from > range.to) {
    return absl::InvalidArgumentError(
        absl::StrCat("date_from (", absl::FormatTime(range.from, absl::UTCTimeZone()),
                     ") is after date_to (", absl::FormatTime(range.to, absl::UTCTimeZone()), ")"));
  }
  return range;
}

Dashboard::Dashboard(DashboardSource source) : source_(std::move(source)) {}

absl::StatusOr<Dashboard::ModelVersions> Dashboard::FetchVersions() const {
  ModelVersions out;
  out.reserve(kEcosellerModelNames.size());
  for (absl::string_view name : kEcosellerModelNames) {
    absl::StatusOr<std::vector<v1::ModelVersion>> versions = source_.list_models(name);
    if (versions.ok()) {
      out.emplace_back(std::move(*versions));
    } else if (absl::IsNotFound(versions.status())) {
      out.emplace_back(std::nullopt);
    } else {
      return versions.status();
    }
  }
  return out;
}

json Dashboard::ModelsJson(const ModelVersions& versions, const EcosellerConfig& config,
                           const ShopCounts& counts, bool include_dummy) const {
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

absl::StatusOr<json> Dashboard::Configuration() const {
  RECPLAT_ASSIGN_OR_RETURN(const EcosellerConfig config, source_.current_config());
  RECPLAT_ASSIGN_OR_RETURN(const ShopCounts counts, source_.counts());
  RECPLAT_ASSIGN_OR_RETURN(ModelVersions versions, FetchVersions());
  return json{{"models", ModelsJson(versions, config, counts, /*include_dummy=*/true)},
              {"config", config.ToDashboardJson()},
              {"info", EcosellerConfigInfoJson()}};
}

// Training statistics come from the core's model registry, one version per training:
//   - a version counts when from <= created_at <= to, and only versions > 0 (version 0 is the
//     built-in "untrained" version, not a training);
//   - started = every such version; failed = status FAILED; completed = started - failed (a
//     version still training counts as completed: the registry has no separate state for it);
//   - duration, peakMemory (MiB) and peakMemoryPercentage (of total_memory_bytes) average and
//     maximise over completed versions, as the original's TrainingStatistics rows existed only
//     for finished trainings; memory figures skip versions that recorded no peak (0 bytes).
absl::StatusOr<json> Dashboard::Training(absl::Time from, absl::Time to) const {
  if (from > to) return absl::InvalidArgumentError("date_from is after date_to");
  RECPLAT_ASSIGN_OR_RETURN(const EcosellerConfig config, source_.current_config());
  RECPLAT_ASSIGN_OR_RETURN(const ShopCounts counts, source_.counts());
  RECPLAT_ASSIGN_OR_RETURN(ModelVersions versions, FetchVersions());

  internal::TrainingAccumulator general;
  json model_specific = json::object();
  for (size_t i = 0; i < kEcosellerModelNames.size(); ++i) {
    const absl::string_view name = kEcosellerModelNames[i];
    if (name == "dummy") continue;
    internal::TrainingAccumulator model;
    if (versions[i].has_value()) {
      for (const v1::ModelVersion& version : *versions[i]) {
        const absl::Time created = absl::FromUnixMillis(version.created_at_ms());
        if (version.version() <= 0 || created < from || created > to) continue;
        model.Add(version, source_.total_memory_bytes);
        general.Add(version, source_.total_memory_bytes);
      }
    }
    model_specific[std::string(name)] = {{"data", model.ToJson()}};
  }
  return json{
      {"models", ModelsJson(versions, config, counts, /*include_dummy=*/false)},
      {"training", {{"general", {{"data", general.ToJson()}}}, {"modelSpecific", model_specific}}}};
}

}  // namespace recplat::http::ecoseller
