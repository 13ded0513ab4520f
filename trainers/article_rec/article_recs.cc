// The article_rec job's computations (article_recs.h).
#include "trainers/article_rec/article_recs.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "absl/container/flat_hash_map.h"

namespace recplat::article_rec {

namespace {

constexpr double kLn2 = 0.69314718055994530942;

int64_t DayOf(int64_t ms) {
  // Floor division: days before 1970 stay on the right day.
  return ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
}

}  // namespace

double RoundScore(double score) { return std::round(score * 1e6) / 1e6; }

double PublishWeight(int64_t published_at_ms, int64_t now_ms, double half_life_days) {
  if (published_at_ms == 0 || published_at_ms >= now_ms) {
    return 1.0;
  }
  const double age_days = static_cast<double>(now_ms - published_at_ms) / kMsPerDay;
  return std::exp(-kLn2 * age_days / half_life_days);
}

std::vector<ScoredArticle> DefaultRecs(std::span<const TimedRead> reads,
                                       std::span<const int64_t> published_at_ms, int64_t now_ms,
                                       const DefaultRecsOptions& options) {
  std::vector<size_t> order(reads.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t keep = std::min(options.recent_reads, reads.size());
  auto newer = [&](size_t a, size_t b) {
    const TimedRead& x = reads[a];
    const TimedRead& y = reads[b];
    return std::make_tuple(-x.time_ms, x.user, x.item) < std::make_tuple(-y.time_ms, y.user, y.item);
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    newer);
  order.resize(keep);

  struct Totals {
    double seconds = 0;
    std::vector<uint32_t> users;
  };
  absl::flat_hash_map<uint32_t, Totals> per_item;
  for (size_t i : order) {
    Totals& t = per_item[reads[i].item];
    t.seconds += reads[i].seconds;
    t.users.push_back(reads[i].user);
  }
  std::vector<ScoredArticle> out;
  double max_tpv = 0;
  for (auto& [item, t] : per_item) {
    std::sort(t.users.begin(), t.users.end());
    const auto distinct = std::unique(t.users.begin(), t.users.end()) - t.users.begin();
    const double tpv = t.seconds / static_cast<double>(distinct);
    max_tpv = std::max(max_tpv, tpv);
    out.push_back({item, tpv});
  }
  for (ScoredArticle& a : out) {
    const int64_t published = a.item < published_at_ms.size() ? published_at_ms[a.item] : 0;
    const double w = PublishWeight(published, now_ms, options.half_life_days);
    a.score = max_tpv > 0 ? w * a.score / max_tpv : 0.0;
  }
  std::sort(out.begin(), out.end(), [](const ScoredArticle& a, const ScoredArticle& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
  if (out.size() > options.max_recs) {
    out.resize(options.max_recs);
  }
  return out;
}

DecayedMatrix BuildDecayedMatrix(std::span<const TimedRead> reads, uint32_t num_items,
                                 int64_t now_ms, double half_life_days) {
  // (user, day, item) -> seconds, in order.
  struct Cell {
    uint32_t user;
    int64_t day;
    uint32_t item;
    double seconds;
  };
  std::vector<Cell> cells;
  cells.reserve(reads.size());
  for (const TimedRead& r : reads) {
    cells.push_back({r.user, DayOf(r.time_ms), r.item, r.seconds});
  }
  std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
    return std::tie(a.user, a.day, a.item) < std::tie(b.user, b.day, b.item);
  });
  const int64_t today = DayOf(now_ms);
  DecayedMatrix m;
  std::vector<Eigen::Triplet<float>> triplets;
  std::vector<double> acc(num_items, 0.0);
  std::vector<uint32_t> touched;  // items with a non-zero accumulated value for this user
  std::vector<char> is_touched(num_items, 0);
  auto emit_row = [&](uint32_t user, int64_t day) {
    const auto row = static_cast<int>(m.row_user.size());
    m.row_user.push_back(user);
    m.row_day.push_back(day);
    std::sort(touched.begin(), touched.end());
    for (uint32_t item : touched) {
      triplets.emplace_back(row, static_cast<int>(item), static_cast<float>(acc[item]));
    }
  };
  for (size_t i = 0; i < cells.size();) {
    const uint32_t user = cells[i].user;
    int64_t prev_day = 0;
    bool first = true;
    while (i < cells.size() && cells[i].user == user) {
      const int64_t day = cells[i].day;
      if (!first) {
        const double decay = std::exp(-kLn2 * static_cast<double>(day - prev_day) / half_life_days);
        for (uint32_t item : touched) {
          acc[item] *= decay;
        }
      }
      for (; i < cells.size() && cells[i].user == user && cells[i].day == day; ++i) {
        const uint32_t item = cells[i].item;
        acc[item] += cells[i].seconds;
        if (!is_touched[item]) {
          is_touched[item] = 1;
          touched.push_back(item);
        }
      }
      emit_row(user, day);
      prev_day = day;
      first = false;
    }
    if (prev_day < today) {
      const double decay = std::exp(-kLn2 * static_cast<double>(today - prev_day) / half_life_days);
      for (uint32_t item : touched) {
        acc[item] *= decay;
      }
      emit_row(user, today);
    }
    for (uint32_t item : touched) {
      acc[item] = 0;
      is_touched[item] = 0;
    }
    touched.clear();
  }
  m.values.resize(static_cast<Eigen::Index>(m.row_user.size()), num_items);
  m.values.setFromTriplets(triplets.begin(), triplets.end());
  return m;
}

Eigen::SparseMatrix<float, Eigen::RowMajor> Confidence(
    const Eigen::SparseMatrix<float, Eigen::RowMajor>& dwell) {
  const Eigen::Index cols = dwell.cols();
  const Eigen::Index rows = dwell.rows();
  std::vector<double> lo(cols, INFINITY), hi(cols, -INFINITY);
  std::vector<Eigen::Index> nnz(cols, 0);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::SparseMatrix<float, Eigen::RowMajor>::InnerIterator it(dwell, r); it; ++it) {
      const double v = std::log1p(static_cast<double>(it.value()));
      lo[it.col()] = std::min(lo[it.col()], v);
      hi[it.col()] = std::max(hi[it.col()], v);
      ++nnz[it.col()];
    }
  }
  for (Eigen::Index c = 0; c < cols; ++c) {
    if (nnz[c] < rows) {  // implicit zeros are values too
      lo[c] = std::min(lo[c], 0.0);
      hi[c] = std::max(hi[c], 0.0);
    }
  }
  Eigen::SparseMatrix<float, Eigen::RowMajor> out = dwell;
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::SparseMatrix<float, Eigen::RowMajor>::InnerIterator it(out, r); it; ++it) {
      const Eigen::Index c = it.col();
      const double range = hi[c] - lo[c];
      const double v = std::log1p(static_cast<double>(it.value())) - lo[c];
      it.valueRef() = static_cast<float>(range > 0 ? v / range : v);
    }
  }
  return out;
}

std::vector<std::vector<ScoredArticle>> NearestArticles(
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& vectors,
    std::span<const int64_t> published_at_ms, int64_t now_ms, const NearestOptions& options) {
  const Eigen::Index n = vectors.rows();
  Eigen::MatrixXd unit = vectors.cast<double>();
  std::vector<char> has_vector(n, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double norm = unit.row(i).norm();
    if (norm > 0 && std::isfinite(norm)) {
      unit.row(i) /= norm;
      has_vector[i] = 1;
    } else {
      unit.row(i).setZero();  // cosine with a zero vector is NaN in the original: 0 here
    }
  }
  std::vector<double> weight(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const int64_t published = static_cast<size_t>(j) < published_at_ms.size()
                                  ? published_at_ms[static_cast<size_t>(j)]
                                  : 0;
    weight[j] = PublishWeight(published, now_ms, options.half_life_days);
  }
  std::vector<std::vector<ScoredArticle>> out(n);
  const size_t walk = std::min<size_t>(options.max_recs + 1, static_cast<size_t>(n));
  std::vector<uint32_t> order(n);
  std::vector<double> weighted(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!has_vector[i]) {
      continue;
    }
    const Eigen::VectorXd sim = unit * unit.row(i).transpose();
    for (Eigen::Index j = 0; j < n; ++j) {
      weighted[j] = sim[j] * weight[j];
    }
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(walk),
                      order.end(), [&](uint32_t a, uint32_t b) {
                        return weighted[a] != weighted[b] ? weighted[a] > weighted[b] : a < b;
                      });
    for (size_t k = 0; k < walk && out[i].size() < options.max_recs; ++k) {
      const uint32_t j = order[k];
      if (j == static_cast<uint32_t>(i)) {
        continue;
      }
      out[i].push_back({j, RoundScore(std::max(0.0, sim[j]))});
    }
  }
  return out;
}

}  // namespace recplat::article_rec
