// File: item_graph_model.h
//
// ItemGraphModel: serving from a sparse, pruned item-to-item weight graph (the `rp3beta`
// family's model). Item i's out-edges are items[offsets[i] .. offsets[i+1]) with weights[same],
// heaviest first. A request's source items are the distinct items with out-edges among
// ctx.user_history, ctx.session_items and ctx.anchors (binary, weight 1 each);
// score(j) = Σ_sources W[h][j]. Ready iff there is a source. Retrieve accumulates over the
// sources' edges and returns the best n reached items passing the filter; Score gives reached
// items their sum, known items no source reaches 0 and items without edges
// models::kUnknownScore; Similar(item) is the item's edge list, filtered. Ties: lower index.
//
// Artifact (artifact_io.h, family given at construction): offsets (U32 pairs as I64), items
// (U32), weights (F32), metric_names, metric_values.
//
// Thread-safety: immutable; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"

namespace recplat::rp3beta {

// Item i's edges: items[offsets[i] .. offsets[i+1]), weights[same range].
struct ItemGraph {
  std::vector<int64_t> offsets = {0};
  std::vector<uint32_t> items;
  std::vector<float> weights;
  uint32_t num_items() const { return static_cast<uint32_t>(offsets.size() - 1); }
};

class ItemGraphModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  // REQUIRES: a well-formed graph (offsets non-decreasing, ending at items.size(); targets
  // < num_items()).
  ItemGraphModel(std::string family, ItemGraph graph, MetricList metrics);

  // DATA_LOSS when the artifact is missing, corrupt or inconsistent.
  static absl::StatusOr<std::unique_ptr<ItemGraphModel>> Load(const std::filesystem::path& dir,
                                                              const std::string& family);

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  MetricList Metrics() const override { return metrics_; }

  const ItemGraph& graph() const { return graph_; }

 private:
  bool HasEdges(uint32_t item) const {
    return item < graph_.num_items() && graph_.offsets[item + 1] > graph_.offsets[item];
  }
  // Distinct source items with edges.
  std::vector<uint32_t> Sources(const models::RecommendContext& ctx) const;
  // Sums the sources' edges into a thread-local buffer; `touched` lists reached items.
  const std::vector<float>& Accumulate(const models::RecommendContext& ctx,
                                       std::vector<uint32_t>* touched) const;

  const std::string family_;
  const ItemGraph graph_;
  const MetricList metrics_;
};

}  // namespace recplat::rp3beta
