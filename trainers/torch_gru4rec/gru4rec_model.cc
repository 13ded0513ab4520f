// Gru4RecModel: construction and the Eigen serving forward (Save/Load are in
// gru4rec_model_io.cc).
#include "trainers/torch_gru4rec/gru4rec_model.h"

#include <Eigen/Core>
#include <algorithm>

#include "core/models/serving_util.h"

namespace recplat::gru4rec {
namespace {

using models::ScoredItem;
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstView = Eigen::Map<const RowMatrix>;
using RowVector = Eigen::RowVectorXf;

ConstView View(const Matrix& m) { return ConstView(m.data.data(), m.rows, m.cols); }

RowVector Sigmoid(const RowVector& v) {
  return (1.0f + (-v.array()).exp()).inverse().matrix();
}

// The last layer's state after feeding `session` (model indices, oldest first) from zero.
RowVector FinalState(const GruWeights& w, std::span<const uint32_t> session) {
  std::vector<RowVector> h;
  for (int units : w.layers) h.push_back(RowVector::Zero(units));
  RowVector x;
  for (uint32_t item : session) {
    if (w.constrained) {
      x = View(w.wy).row(item);
    } else if (w.embedding > 0) {
      x = View(w.e).row(item);
    }
    for (size_t l = 0; l < w.layers.size(); ++l) {
      const Eigen::Index units = w.layers[l];
      const RowVector vec = (l == 0 && w.one_hot())
                                ? RowVector(View(w.wx[0]).row(item) + View(w.bh[0]))
                                : RowVector(x * View(w.wx[l]) + View(w.bh[l]));
      const RowVector rz = Sigmoid(vec.segment(units, 2 * units) + h[l] * View(w.wrz[l]));
      const auto r = rz.head(units).array();
      const auto z = rz.tail(units).array();
      const RowVector pre = (r * h[l].array()).matrix() * View(w.wh[l]) + vec.head(units);
      const RowVector cand = pre.array().tanh().matrix();
      h[l] = ((1.0f - z) * h[l].array() + z * cand.array()).matrix();
      x = h[l];
    }
  }
  return h.back();
}

}  // namespace

Gru4RecModel::Gru4RecModel(Parts parts, int max_session_length)
    : parts_(std::move(parts)),
      max_session_length_(max_session_length),
      model_index_(parts_.catalog_size, -1) {
  for (size_t k = 0; k < parts_.items.size(); ++k) {
    model_index_[parts_.items[k]] = static_cast<int32_t>(k);
  }
}

std::vector<uint32_t> Gru4RecModel::SessionOf(const models::RecommendContext& ctx) const {
  const std::span<const uint32_t> source =
      ctx.session_items.empty() ? ctx.user_history : ctx.session_items;
  const size_t take = std::min(source.size(), static_cast<size_t>(max_session_length_));
  std::vector<uint32_t> session;
  session.reserve(take);
  for (size_t k = take; k-- > 0;) {  // Most recent first in ctx: feed in reverse.
    if (const int64_t m = ModelIndex(source[k]); m >= 0) {
      session.push_back(static_cast<uint32_t>(m));
    }
  }
  return session;
}

std::vector<float> Gru4RecModel::Forward(std::span<const uint32_t> session) const {
  const GruWeights& w = parts_.weights;
  const RowVector h = FinalState(w, session);
  Eigen::VectorXf scores = View(w.wy) * h.transpose();
  scores += View(w.by);
  return std::vector<float>(scores.data(), scores.data() + scores.size());
}

std::vector<float> Gru4RecModel::ScoresOf(std::span<const uint32_t> session) const {
  std::vector<uint32_t> known;
  for (uint32_t item : session) {
    if (const int64_t m = ModelIndex(item); m >= 0) known.push_back(static_cast<uint32_t>(m));
  }
  if (known.empty()) return {};
  return Forward(known);
}

bool Gru4RecModel::Ready(const models::RecommendContext& ctx) const {
  const std::span<const uint32_t> source =
      ctx.session_items.empty() ? ctx.user_history : ctx.session_items;
  const size_t take = std::min(source.size(), static_cast<size_t>(max_session_length_));
  for (size_t k = 0; k < take; ++k) {
    if (ModelIndex(source[k]) >= 0) return true;
  }
  return false;
}

absl::Status Gru4RecModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                    std::vector<ScoredItem>* out) const {
  const std::vector<uint32_t> session = SessionOf(ctx);
  if (session.empty() || n == 0) return absl::OkStatus();
  const std::vector<float> scores = Forward(session);
  // A heap of the best n so far, its worst on top; the filter is asked only about items that
  // would enter it.
  std::vector<ScoredItem> top;
  top.reserve(n + 1);
  for (size_t m = 0; m < scores.size(); ++m) {
    const ScoredItem candidate{parts_.items[m], scores[m]};
    if (top.size() == n && !models::BetterScored(candidate, top.front())) continue;
    if (models::Excluded(ctx, candidate.item)) continue;
    if (top.size() == n) {
      std::pop_heap(top.begin(), top.end(), models::BetterScored);
      top.back() = candidate;
    } else {
      top.push_back(candidate);
    }
    std::push_heap(top.begin(), top.end(), models::BetterScored);
  }
  std::sort(top.begin(), top.end(), models::BetterScored);
  out->insert(out->end(), top.begin(), top.end());
  return absl::OkStatus();
}

absl::Status Gru4RecModel::Score(const models::RecommendContext& ctx,
                                 std::span<ScoredItem> items) const {
  const GruWeights& w = parts_.weights;
  const RowVector h = FinalState(w, SessionOf(ctx));
  const ConstView wy = View(w.wy);
  for (ScoredItem& s : items) {
    const int64_t m = ModelIndex(s.item);
    s.score = m < 0 ? models::kUnknownScore
                    : static_cast<double>(wy.row(m).dot(h) + w.by.data[static_cast<size_t>(m)]);
  }
  return absl::OkStatus();
}

}  // namespace recplat::gru4rec
