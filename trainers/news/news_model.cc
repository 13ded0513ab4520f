#include "trainers/news/news_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::news {

namespace {

using models::RecommendContext;
using models::ScoredItem;
using models::Excluded;
using models::KeepTop;

// A dense accumulator that remembers which slots it touched, so resetting costs O(touched).
struct Accumulator {
  std::vector<float> values;
  std::vector<uint32_t> touched;

  void Reset(size_t size) {
    for (uint32_t i : touched) values[i] = 0;
    touched.clear();
    if (values.size() < size) values.resize(size, 0.0f);
  }
  void Add(uint32_t i, float v) {
    if (values[i] == 0) touched.push_back(i);
    values[i] += v;
    if (values[i] == 0) values[i] = 1e-30f;  // Stays "touched".
  }
};

// Per-thread scratch of the scorer.
struct Scratch {
  Accumulator profile;  // By term.
  Accumulator content;  // By item.
  Accumulator coclick;  // By item.
  std::vector<uint32_t> strongest;  // Profile terms matched.
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

// Computes the per-request signals once; then scores any item in O(1).
class NewsModel::Scorer {
 public:
  Scorer(const NewsModel& model, const RecommendContext& ctx)
      : m_(model), ctx_(ctx), s_(ThreadScratch()) {
    const NewsModelData& d = m_.data_;
    s_.profile.Reset(d.content.num_terms);
    s_.content.Reset(d.num_items);
    s_.coclick.Reset(d.num_items);
    double weight = 1.0;
    const size_t depth = std::min<size_t>(ctx.user_history.size(), m_.params_.max_history);
    for (size_t p = 0; p < depth; ++p, weight *= m_.params_.history_decay) {
      const uint32_t h = ctx.user_history[p];
      if (h >= d.num_items) continue;
      const SparseRows& rows = d.content.items;
      for (uint32_t k = rows.offsets[h]; k < rows.offsets[h + 1]; ++k) {
        s_.profile.Add(rows.terms[k], static_cast<float>(weight) * rows.weights[k]);
      }
      if (h < d.coclick.num_items()) {
        auto items = d.coclick.ItemsOf(h);
        auto sims = d.coclick.SimsOf(h);
        for (size_t k = 0; k < items.size(); ++k) {
          s_.coclick.Add(items[k], static_cast<float>(weight) * sims[k]);
        }
      }
    }
    double norm = 0;
    for (uint32_t t : s_.profile.touched) norm += double{s_.profile.values[t]} * s_.profile.values[t];
    // Only the profile's strongest terms are matched (the norm stays the full profile's): the
    // cost is their postings, and the weak tail changes little.
    std::vector<uint32_t>& terms = s_.strongest;
    terms.assign(s_.profile.touched.begin(), s_.profile.touched.end());
    const size_t keep = m_.params_.profile_terms;
    if (terms.size() > keep) {
      const std::vector<float>& v = s_.profile.values;
      std::nth_element(terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(keep), terms.end(),
                       [&v](uint32_t a, uint32_t b) { return v[a] > v[b]; });
      terms.resize(keep);
    }
    if (norm > 0) {
      const float inv = static_cast<float>(1.0 / std::sqrt(norm));
      const SparseRows& post = m_.postings_;
      for (uint32_t t : terms) {
        const float pt = s_.profile.values[t] * inv;
        for (uint32_t k = post.offsets[t]; k < post.offsets[t + 1]; ++k) {
          s_.content.Add(post.terms[k], pt * post.weights[k]);
        }
      }
    }
    for (uint32_t i : s_.coclick.touched) max_coclick_ = std::max(max_coclick_, s_.coclick.values[i]);
    // Freshness counts from the newest article (at most now): publication times come from the
    // backend, whose clock may differ from ours (or be simulated).
    int64_t newest = 0;
    if (ctx.catalog != nullptr) {
      const auto& recency = ctx.catalog->NewestFirst();
      if (!recency.empty()) newest = recency.begin()->first;
    } else {
      for (int64_t t : d.published_at_ms) newest = std::max(newest, t);
    }
    reference_ms_ = ctx.now_ms > 0 && newest > 0 ? std::min(ctx.now_ms, newest)
                                                 : std::max(ctx.now_ms, newest);
  }

  // Items the catalog has (or the model's items without a catalog).
  uint32_t universe() const {
    return ctx_.catalog != nullptr ? ctx_.catalog->size() : m_.data_.num_items;
  }
  bool Live(uint32_t item) const {
    return ctx_.catalog == nullptr ? item < m_.data_.num_items : ctx_.catalog->Meta(item).live;
  }

  double ScoreOf(uint32_t item) const {
    const NewsModelData& d = m_.data_;
    const BlendParams& p = m_.params_;
    double score = 0;
    if (item < d.num_items) {
      score += p.w_content * s_.content.values[item];
      if (max_coclick_ > 0) score += p.w_coclick * s_.coclick.values[item] / max_coclick_;
      if (item < d.appeal.size()) score += p.w_popularity * d.appeal[item];
    }
    int64_t published = 0;
    if (ctx_.catalog != nullptr && item < ctx_.catalog->size()) {
      published = ctx_.catalog->Meta(item).published_at_ms;
    } else if (item < d.published_at_ms.size()) {
      published = d.published_at_ms[item];
    }
    if (published > 0 && p.freshness_half_life_hours > 0) {
      const double age_hours =
          std::max<double>(0, static_cast<double>(reference_ms_ - published)) / 3.6e6;
      score += p.w_freshness * std::exp2(-age_hours / p.freshness_half_life_hours);
    }
    return score;
  }

 private:
  const NewsModel& m_;
  const RecommendContext& ctx_;
  Scratch& s_;
  float max_coclick_ = 0;
  int64_t reference_ms_ = 0;
};

NewsModel::NewsModel(NewsModelData data, BlendParams params)
    : data_(std::move(data)),
      params_(params),
      postings_(Transpose(data_.content.items, data_.content.num_terms)) {}

absl::Status NewsModel::Retrieve(const RecommendContext& ctx, size_t n,
                                 std::vector<ScoredItem>* out) const {
  if (n == 0) return absl::OkStatus();
  Scorer scorer(*this, ctx);
  std::vector<ScoredItem> all;
  const uint32_t universe = scorer.universe();
  all.reserve(universe);
  for (uint32_t i = 0; i < universe; ++i) {
    if (!scorer.Live(i) || Excluded(ctx, i)) continue;
    all.push_back({i, scorer.ScoreOf(i)});
  }
  KeepTop(&all, n);
  out->insert(out->end(), all.begin(), all.end());
  return absl::OkStatus();
}

absl::Status NewsModel::Score(const RecommendContext& ctx, std::span<ScoredItem> items) const {
  Scorer scorer(*this, ctx);
  for (ScoredItem& it : items) {
    it.score = scorer.Live(it.item) ? scorer.ScoreOf(it.item) : models::kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status NewsModel::Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                                std::vector<ScoredItem>* out) const {
  if (item >= data_.num_items) return absl::OkStatus();
  Accumulator acc;
  acc.Reset(data_.num_items);
  const SparseRows& rows = data_.content.items;
  for (uint32_t k = rows.offsets[item]; k < rows.offsets[item + 1]; ++k) {
    const uint32_t t = rows.terms[k];
    for (uint32_t j = postings_.offsets[t]; j < postings_.offsets[t + 1]; ++j) {
      acc.Add(postings_.terms[j], rows.weights[k] * postings_.weights[j]);
    }
  }
  std::vector<ScoredItem> found;
  for (uint32_t j : acc.touched) {
    if (j == item || (filter != nullptr && filter->Excluded(j))) continue;
    found.push_back({j, acc.values[j]});
  }
  KeepTop(&found, n);
  out->insert(out->end(), found.begin(), found.end());
  return absl::OkStatus();
}

absl::Status NewsModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter w(kNewsFamilyName);
  const uint32_t sizes[] = {data_.num_items, data_.content.num_terms};
  w.AddU32("sizes", sizes);
  w.AddU32("content_offsets", data_.content.items.offsets);
  w.AddU32("content_terms", data_.content.items.terms);
  w.AddF32("content_weights", data_.content.items.weights);
  std::vector<int64_t> offsets(data_.coclick.offsets.begin(), data_.coclick.offsets.end());
  w.AddI64("coclick_offsets", offsets);
  w.AddU32("coclick_items", data_.coclick.items);
  w.AddF32("coclick_sims", data_.coclick.sims);
  w.AddF32("appeal", data_.appeal);
  w.AddI64("published_at_ms", data_.published_at_ms);
  std::vector<double> metric_values;
  std::string metric_names;
  for (const auto& [name, value] : data_.metrics) {
    absl::StrAppend(&metric_names, name, "\n");
    metric_values.push_back(value);
  }
  w.AddString("metric_names", metric_names);
  w.AddF64("metric_values", metric_values);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<NewsModel>> NewsModel::Load(const std::filesystem::path& dir,
                                                           BlendParams params) {
  auto reader = models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kNewsFamilyName);
  if (!reader.ok()) return reader.status();
  auto corrupt = [](const std::string& what) {
    return absl::DataLossError(absl::StrCat("news artifact: ", what));
  };
  NewsModelData d;
  auto sizes = reader->U32("sizes");
  if (!sizes.ok()) return sizes.status();
  if (sizes->size() != 2) return corrupt("bad sizes");
  d.num_items = (*sizes)[0];
  d.content.num_terms = (*sizes)[1];
  auto co = reader->U32("content_offsets");
  auto ct = reader->U32("content_terms");
  auto cw = reader->F32("content_weights");
  auto no = reader->I64("coclick_offsets");
  auto ni = reader->U32("coclick_items");
  auto ns = reader->F32("coclick_sims");
  auto ap = reader->F32("appeal");
  auto pa = reader->I64("published_at_ms");
  auto mn = reader->String("metric_names");
  auto mv = reader->F64("metric_values");
  for (const absl::Status& s : {co.status(), ct.status(), cw.status(), no.status(), ni.status(),
                                ns.status(), ap.status(), pa.status(), mn.status(), mv.status()}) {
    if (!s.ok()) return s;
  }
  // Structural checks: every index the scorer follows must be in range.
  if (co->size() != size_t{d.num_items} + 1 || co->front() != 0 || co->back() != ct->size() ||
      ct->size() != cw->size() || !std::is_sorted(co->begin(), co->end())) {
    return corrupt("content rows do not match the item count");
  }
  for (uint32_t t : *ct) {
    if (t >= d.content.num_terms) return corrupt("content term out of range");
  }
  if (no->empty() || no->front() != 0 || static_cast<uint64_t>(no->back()) != ni->size() ||
      ni->size() != ns->size() || no->size() > size_t{d.num_items} + 1 ||
      !std::is_sorted(no->begin(), no->end())) {
    return corrupt("co-click lists are inconsistent");
  }
  for (uint32_t j : *ni) {
    if (j >= d.num_items) return corrupt("co-click item out of range");
  }
  if (ap->size() > d.num_items || pa->size() > d.num_items) return corrupt("per-item arrays too long");
  d.content.items.offsets = std::move(*co);
  d.content.items.terms = std::move(*ct);
  d.content.items.weights = std::move(*cw);
  d.coclick.offsets.assign(no->begin(), no->end());
  d.coclick.items = std::move(*ni);
  d.coclick.sims = std::move(*ns);
  d.appeal = std::move(*ap);
  d.published_at_ms = std::move(*pa);
  std::vector<std::string> names;
  size_t start = 0;
  for (size_t i = 0; i < mn->size(); ++i) {
    if ((*mn)[i] == '\n') {
      names.push_back(mn->substr(start, i - start));
      start = i + 1;
    }
  }
  if (names.size() != mv->size()) return corrupt("metric names and values differ in number");
  for (size_t i = 0; i < names.size(); ++i) d.metrics.emplace_back(names[i], (*mv)[i]);
  return std::make_unique<NewsModel>(std::move(d), params);
}

}  // namespace recplat::news
