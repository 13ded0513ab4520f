#include "trainers/torch_gru4rec/gru4rec_family.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "trainers/torch_gru4rec/gru4rec_model.h"
#include "trainers/torch_gru4rec/gru4rec_params.h"
#include "trainers/torch_gru4rec/internal/torch_trainer.h"
#include "trainers/torch_gru4rec/session_data.h"

namespace recplat::gru4rec {
namespace {

using models::ModelParams;
using models::TrainingData;

SessionOptions SessionOptionsFor(const Gru4RecParams& p, const TrainingData& data,
                                 int64_t since_ms) {
  SessionOptions o;
  o.gap_ms = p.session_gap_minutes * 60 * 1000;
  o.since_ms = since_ms;
  if (!p.event_types.empty()) {
    o.use_type.assign(data.event_types.size(), false);
    for (size_t t = 0; t < data.event_types.size(); ++t) {
      o.use_type[t] = std::find(p.event_types.begin(), p.event_types.end(),
                                data.event_types[t]) != p.event_types.end();
    }
  }
  return o;
}

// Gives the catalog items of `sessions` that `index` does not know model indices after the
// existing ones (in ascending catalog order), appending them to `items`, and rewrites the
// sessions to model indices. `index` is by catalog item (grown as needed). Returns the number
// of new items.
size_t MapItems(SessionSet* sessions, std::vector<uint32_t>* items, std::vector<int32_t>* index) {
  std::vector<uint32_t> fresh;
  for (uint32_t item : sessions->items) {
    if (item >= index->size()) index->resize(item + 1, -1);
    if ((*index)[item] < 0) fresh.push_back(item);
  }
  std::sort(fresh.begin(), fresh.end());
  fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
  for (uint32_t item : fresh) {
    (*index)[item] = static_cast<int32_t>(items->size());
    items->push_back(item);
  }
  for (uint32_t& item : sessions->items) item = static_cast<uint32_t>((*index)[item]);
  return fresh.size();
}

Gru4RecModel::MetricList MetricsOf(const internal::TrainStats& stats, bool incremental,
                                   int epochs, size_t sessions, size_t items, size_t new_items) {
  return {{"incremental", incremental ? 1.0 : 0.0},
          {"epochs", static_cast<double>(epochs)},
          {"sessions", static_cast<double>(sessions)},
          {"items", static_cast<double>(items)},
          {"new_items", static_cast<double>(new_items)},
          {"train_events", static_cast<double>(stats.events)},
          {"train_seconds", stats.seconds},
          {"events_per_second", stats.events_per_second},
          {"final_loss", stats.epoch_loss.empty() ? 0.0 : stats.epoch_loss.back()}};
}

uint32_t CatalogSize(const TrainingData& data, const std::vector<uint32_t>& items) {
  uint32_t size = data.num_items;
  for (uint32_t item : items) size = std::max(size, item + 1);
  return size;
}

}  // namespace

absl::Status Gru4RecFamily::ValidateParams(const ModelParams& params) const {
  return ParseGru4RecParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> Gru4RecFamily::Fit(
    const TrainingData& data, const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(Gru4RecParams p, ParseGru4RecParams(params));
  SessionSet sessions =
      BuildSessions(data, SessionOptionsFor(p, data, std::numeric_limits<int64_t>::min()));
  if (sessions.size() == 0) {
    return absl::FailedPreconditionError(
        "gru4rec: no session with two or more interactions to train on");
  }
  Gru4RecModel::Parts parts;
  std::vector<int32_t> index;
  MapItems(&sessions, &parts.items, &index);
  parts.catalog_size = CatalogSize(data, parts.items);
  const int64_t n = static_cast<int64_t>(parts.items.size());
  parts.support.assign(parts.items.size(), 0.0);
  for (uint32_t m : sessions.items) parts.support[m] += 1;
  parts.weights = ZeroWeights(n, p.layers, p.embedding, p.constrained_embedding);
  parts.adagrad = ZeroWeights(n, p.layers, p.embedding, p.constrained_embedding);
  common::Rng rng(p.seed);
  InitWeights(&parts.weights, rng);
  internal::TrainRequest request;
  request.sessions = &sessions;
  request.support = parts.support;
  request.epochs = p.epochs;
  request.seed = p.seed;
  request.stop = data.stop;
  RECPLAT_ASSIGN_OR_RETURN(internal::TrainStats stats,
                           internal::TrainGru(p, request, &parts.weights, &parts.adagrad));
  parts.metrics = MetricsOf(stats, false, p.epochs, sessions.size(), parts.items.size(),
                            parts.items.size());
  return std::make_unique<Gru4RecModel>(std::move(parts), p.max_session_length);
}

absl::StatusOr<std::unique_ptr<models::Model>> Gru4RecFamily::Update(
    const models::Model& previous, const TrainingData& data, const ModelParams& params,
    int64_t since_ms) const {
  const auto* prev = dynamic_cast<const Gru4RecModel*>(&previous);
  if (prev == nullptr) {
    return absl::FailedPreconditionError("gru4rec: the previous model is not a gru4rec model");
  }
  RECPLAT_ASSIGN_OR_RETURN(Gru4RecParams p, ParseGru4RecParams(params));
  const GruWeights& old = prev->parts().weights;
  if (old.layers != p.layers || old.embedding != p.embedding ||
      old.constrained != p.constrained_embedding) {
    return absl::FailedPreconditionError(
        "gru4rec: layers, embedding or constrained_embedding changed; a full fit is needed");
  }
  SessionSet sessions = BuildSessions(data, SessionOptionsFor(p, data, since_ms));
  Gru4RecModel::Parts parts = prev->parts();
  if (sessions.size() == 0) {
    parts.metrics = MetricsOf({}, true, 0, 0, parts.items.size(), 0);
    return std::make_unique<Gru4RecModel>(std::move(parts), p.max_session_length);
  }
  std::vector<int32_t> index(parts.catalog_size, -1);
  for (size_t m = 0; m < parts.items.size(); ++m) {
    index[parts.items[m]] = static_cast<int32_t>(m);
  }
  const size_t old_items = parts.items.size();
  const size_t new_items = MapItems(&sessions, &parts.items, &index);
  parts.catalog_size = CatalogSize(data, parts.items);
  parts.support.resize(parts.items.size(), 0.0);
  for (size_t k = 0; k < sessions.items.size(); ++k) {
    // New interactions count once; the whole sessions of new items count for them.
    if (sessions.times[k] > since_ms || sessions.items[k] >= old_items) {
      parts.support[sessions.items[k]] += 1;
    }
  }
  const uint64_t seed = p.seed ^ (static_cast<uint64_t>(since_ms) * 0x9e3779b97f4a7c15ULL);
  common::Rng rng(seed);
  GrowItems(&parts.weights, static_cast<int64_t>(parts.items.size()), &rng);
  GrowItems(&parts.adagrad, static_cast<int64_t>(parts.items.size()), nullptr);
  internal::TrainRequest request;
  request.sessions = &sessions;
  request.support = parts.support;
  request.epochs = p.incremental_epochs;
  request.seed = seed;
  request.stop = data.stop;
  RECPLAT_ASSIGN_OR_RETURN(internal::TrainStats stats,
                           internal::TrainGru(p, request, &parts.weights, &parts.adagrad));
  parts.metrics = MetricsOf(stats, true, p.incremental_epochs, sessions.size(),
                            parts.items.size(), new_items);
  return std::make_unique<Gru4RecModel>(std::move(parts), p.max_session_length);
}

absl::StatusOr<std::unique_ptr<models::Model>> Gru4RecFamily::Load(
    const std::filesystem::path& dir, const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(Gru4RecParams p, ParseGru4RecParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<Gru4RecModel> model,
                           Gru4RecModel::Load(dir, p.max_session_length));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterGru4RecFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<Gru4RecFamily>());
}

}  // namespace recplat::gru4rec
