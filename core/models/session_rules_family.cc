#include "core/models/session_rules_family.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::models {
namespace {

constexpr char kFamily[] = "session_rules";

struct RulesParams {
  bool backfill = true;
  int64_t window = 1;
  bool self_transitions = true;
  double max_gap_minutes = 0;
};

absl::StatusOr<RulesParams> ParseParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(
      params.CheckKnown({"backfill", "window", "self_transitions", "max_gap_minutes"}));
  RulesParams p;
  RECPLAT_ASSIGN_OR_RETURN(p.backfill, params.GetBool("backfill", true));
  RECPLAT_ASSIGN_OR_RETURN(p.window, params.GetInt("window", 1, 1, 100));
  RECPLAT_ASSIGN_OR_RETURN(p.self_transitions, params.GetBool("self_transitions", true));
  RECPLAT_ASSIGN_OR_RETURN(p.max_gap_minutes, params.GetDouble("max_gap_minutes", 0.0, 0.0));
  return p;
}

// Rules in compressed rows: the rules of item a are successors/weights[offsets[a] ..
// offsets[a + 1]), in BetterScored order.
struct Rules {
  std::vector<int64_t> offsets;  // Size num_items + 1.
  std::vector<uint32_t> successors;
  std::vector<double> weights;
};

class SessionRulesModel final : public Model {
 public:
  // REQUIRES: `rules` and `popularity` describe the same num_items = popularity.size() items
  // (checked by Fit and Load), rows in BetterScored order, weights > 0, popularity >= 0.
  SessionRulesModel(Rules rules, std::vector<double> popularity, bool backfill, int64_t window)
      : rules_(std::move(rules)),
        popularity_(std::move(popularity)),
        backfill_(backfill),
        window_(window) {
    for (uint32_t i = 0; i < popularity_.size(); ++i) {
      if (popularity_[i] > 0) {
        by_popularity_.push_back(i);
        max_popularity_ = std::max(max_popularity_, popularity_[i]);
      }
    }
    std::sort(by_popularity_.begin(), by_popularity_.end(), [&](uint32_t a, uint32_t b) {
      return popularity_[a] != popularity_[b] ? popularity_[a] > popularity_[b] : a < b;
    });
  }

  bool Ready(const RecommendContext& ctx) const override {
    const std::optional<uint32_t> source = Source(ctx);
    return source.has_value() &&
           (!RowOf(*source).empty() || (backfill_ && !by_popularity_.empty()));
  }

  absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                        std::vector<ScoredItem>* out) const override {
    absl::flat_hash_set<uint32_t> taken;
    size_t added = 0;
    if (const std::optional<uint32_t> source = Source(ctx); source.has_value()) {
      const Row row = RowOf(*source);
      for (size_t k = 0; k < row.size() && added < n; ++k) {
        if (!Excluded(ctx, row.items[k])) {
          out->push_back({row.items[k], row.weights[k]});
          taken.insert(row.items[k]);
          ++added;
        }
      }
    }
    if (!backfill_) {
      return absl::OkStatus();
    }
    for (size_t k = 0; k < by_popularity_.size() && added < n; ++k) {
      const uint32_t item = by_popularity_[k];
      if (!taken.contains(item) && !Excluded(ctx, item)) {
        out->push_back({item, OtherScore(item)});
        ++added;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Score(const RecommendContext& ctx, std::span<ScoredItem> items) const override {
    absl::flat_hash_map<uint32_t, double> rule;
    if (const std::optional<uint32_t> source = Source(ctx); source.has_value()) {
      const Row row = RowOf(*source);
      for (size_t k = 0; k < row.size(); ++k) {
        rule.emplace(row.items[k], row.weights[k]);
      }
    }
    for (ScoredItem& s : items) {
      auto it = rule.find(s.item);
      s.score = it != rule.end() ? it->second : OtherScore(s.item);
    }
    return absl::OkStatus();
  }

  absl::Status Similar(uint32_t item, size_t n, const CandidateFilter* filter,
                       std::vector<ScoredItem>* out) const override {
    const Row row = RowOf(item);
    size_t added = 0;
    for (size_t k = 0; k < row.size() && added < n; ++k) {
      if (filter == nullptr || !filter->Excluded(row.items[k])) {
        out->push_back({row.items[k], row.weights[k]});
        ++added;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Save(const std::filesystem::path& dir) const override {
    ArtifactWriter w(kFamily);
    const int64_t backfill[] = {backfill_ ? 1 : 0};
    const int64_t window[] = {window_};
    w.AddI64("offsets", rules_.offsets);
    w.AddU32("successors", rules_.successors);
    w.AddF64("weights", rules_.weights);
    w.AddF64("popularity", popularity_);
    w.AddI64("backfill", backfill);
    w.AddI64("window", window);
    return w.WriteFile(dir / kModelArtifactFile);
  }

  std::vector<std::pair<std::string, double>> Metrics() const override {
    uint32_t with_rules = 0;
    for (size_t i = 0; i + 1 < rules_.offsets.size(); ++i) {
      with_rules += rules_.offsets[i + 1] > rules_.offsets[i] ? 1 : 0;
    }
    return {{"items_with_rules", static_cast<double>(with_rules)},
            {"rules", static_cast<double>(rules_.successors.size())}};
  }

 private:
  struct Row {
    std::span<const uint32_t> items;
    std::span<const double> weights;
    size_t size() const { return items.size(); }
    bool empty() const { return items.empty(); }
  };

  Row RowOf(uint32_t item) const {
    if (item >= popularity_.size()) {
      return {};
    }
    const auto begin = static_cast<size_t>(rules_.offsets[item]);
    const auto count = static_cast<size_t>(rules_.offsets[item + 1]) - begin;
    return {std::span<const uint32_t>(rules_.successors).subspan(begin, count),
            std::span<const double>(rules_.weights).subspan(begin, count)};
  }

  static std::optional<uint32_t> Source(const RecommendContext& ctx) {
    for (std::span<const uint32_t> items : {ctx.session_items, ctx.user_history, ctx.anchors}) {
      if (!items.empty()) {
        return items.front();
      }
    }
    return std::nullopt;
  }

  // The score of an item that is not a successor of the request's source.
  double OtherScore(uint32_t item) const {
    if (item >= popularity_.size() || !(popularity_[item] > 0)) {
      return kUnknownScore;
    }
    return backfill_ ? popularity_[item] / max_popularity_ - 1.0 : -1.0;
  }

  const Rules rules_;
  const std::vector<double> popularity_;  // By item index.
  const bool backfill_;
  const int64_t window_;
  std::vector<uint32_t> by_popularity_;  // Items with popularity > 0, most popular first.
  double max_popularity_ = 0;
};

// Sorts every row into BetterScored order.
void SortRows(Rules* r) {
  std::vector<ScoredItem> row;
  for (size_t a = 0; a + 1 < r->offsets.size(); ++a) {
    const auto begin = static_cast<size_t>(r->offsets[a]);
    const auto end = static_cast<size_t>(r->offsets[a + 1]);
    row.clear();
    for (size_t k = begin; k < end; ++k) {
      row.push_back({r->successors[k], r->weights[k]});
    }
    std::sort(row.begin(), row.end(), BetterScored);
    for (size_t k = begin; k < end; ++k) {
      r->successors[k] = row[k - begin].item;
      r->weights[k] = row[k - begin].score;
    }
  }
}

// One counted pair before merging.
struct Pair {
  uint32_t from;
  uint32_t to;
  double weight;
};

}  // namespace

absl::Status SessionRulesFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<Model>> SessionRulesFamily::Fit(const TrainingData& data,
                                                               const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(RulesParams p, ParseParams(params));
  const std::vector<Interaction>& xs = data.interactions;
  if (xs.empty()) {
    return absl::FailedPreconditionError("session_rules: no interactions to train on");
  }
  uint32_t num_items = data.num_items;
  for (const Interaction& x : xs) {
    num_items = std::max(num_items, x.item + 1);
  }
  // TrainingData promises (user, timestamp) order; a caller that breaks it gets a sorted view
  // rather than rules across users.
  std::vector<size_t> order(xs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto before = [&](size_t a, size_t b) {
    return xs[a].user != xs[b].user ? xs[a].user < xs[b].user
                                    : xs[a].timestamp_ms < xs[b].timestamp_ms;
  };
  if (!std::is_sorted(order.begin(), order.end(), before)) {
    std::stable_sort(order.begin(), order.end(), before);
  }

  std::vector<double> popularity(num_items, 0.0);
  for (const Interaction& x : xs) {
    popularity[x.item] +=
        x.type < data.event_type_weights.size() ? data.event_type_weights[x.type] : 1.0;
  }
  const double max_gap_ms = p.max_gap_minutes * 60e3;
  std::vector<Pair> pairs;
  size_t segment_start = 0;  // Position in `order` where the current user's session began.
  for (size_t i = 0; i < order.size(); ++i) {
    const Interaction& x = xs[order[i]];
    if (i == 0 || xs[order[i - 1]].user != x.user ||
        (max_gap_ms > 0 &&
         static_cast<double>(x.timestamp_ms - xs[order[i - 1]].timestamp_ms) > max_gap_ms)) {
      segment_start = i;
    }
    for (size_t d = 1; d <= static_cast<size_t>(p.window) && d <= i - segment_start; ++d) {
      const uint32_t from = xs[order[i - d]].item;
      if (from != x.item || p.self_transitions) {
        pairs.push_back({from, x.item, 1.0 / static_cast<double>(d)});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return a.from != b.from ? a.from < b.from : a.to < b.to;
  });
  Rules rules;
  rules.offsets.assign(num_items + 1, 0);
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (k > 0 && pairs[k].from == pairs[k - 1].from && pairs[k].to == pairs[k - 1].to) {
      rules.weights.back() += pairs[k].weight;
      continue;
    }
    rules.successors.push_back(pairs[k].to);
    rules.weights.push_back(pairs[k].weight);
    ++rules.offsets[pairs[k].from + 1];
  }
  std::partial_sum(rules.offsets.begin(), rules.offsets.end(), rules.offsets.begin());
  SortRows(&rules);
  return std::make_unique<SessionRulesModel>(std::move(rules), std::move(popularity), p.backfill,
                                             p.window);
}

absl::StatusOr<std::unique_ptr<Model>> SessionRulesFamily::Load(const std::filesystem::path& dir,
                                                                const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(ArtifactReader r,
                           ArtifactReader::ReadFile(dir / kModelArtifactFile, kFamily));
  Rules rules;
  RECPLAT_ASSIGN_OR_RETURN(rules.offsets, r.I64("offsets"));
  RECPLAT_ASSIGN_OR_RETURN(rules.successors, r.U32("successors"));
  RECPLAT_ASSIGN_OR_RETURN(rules.weights, r.F64("weights"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> popularity, r.F64("popularity"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t backfill, r.I64Scalar("backfill"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t window, r.I64Scalar("window"));
  auto bad = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("session_rules artifact: ", what));
  };
  const size_t num_items = popularity.size();
  if (num_items > UINT32_MAX || rules.offsets.size() != num_items + 1 ||
      rules.offsets.front() != 0 ||
      static_cast<uint64_t>(rules.offsets.back()) != rules.successors.size() ||
      rules.weights.size() != rules.successors.size()) {
    return bad("inconsistent sizes");
  }
  if ((backfill != 0 && backfill != 1) || window < 1) {
    return bad("bad serving parameters");
  }
  for (size_t i = 0; i < num_items; ++i) {
    if (rules.offsets[i + 1] < rules.offsets[i]) {
      return bad(absl::StrCat("offsets decrease at item ", i));
    }
    if (!(popularity[i] >= 0) || !std::isfinite(popularity[i])) {
      return bad(absl::StrCat("bad popularity of item ", i));
    }
    for (auto k = rules.offsets[i]; k < rules.offsets[i + 1]; ++k) {
      const auto u = static_cast<size_t>(k);
      if (rules.successors[u] >= num_items || !(rules.weights[u] > 0) ||
          !std::isfinite(rules.weights[u]) ||
          (k > rules.offsets[i] &&
           !BetterScored({rules.successors[u - 1], rules.weights[u - 1]},
                                   {rules.successors[u], rules.weights[u]}))) {
        return bad(absl::StrCat("bad rule entry ", k));
      }
    }
  }
  return std::make_unique<SessionRulesModel>(std::move(rules), std::move(popularity), backfill == 1,
                                             window);
}

}  // namespace recplat::models
