#include "trainers/similarity/internal/neighbors.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <numeric>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace recplat::similarity::internal {
namespace {

constexpr uint32_t kRowBlock = 64;
constexpr uint32_t kColumnChunk = 1024;
constexpr uint32_t kMaxTablePatterns = 1024;
constexpr uint32_t kNoPattern = 0xffffffffu;

struct Candidate {
  float distance;
  uint32_t item;
};

// The neighbour order: nearer first, ties by lower item index. A function object, so that the
// standard algorithms inline it.
struct CloserThan {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.distance != b.distance ? a.distance < b.distance : a.item < b.item;
  }
};
constexpr CloserThan Closer;

// The `k` nearest candidates (by Closer) among those added, kept in a buffer that is cut back
// to the best k with nth_element whenever it holds 2k + 16: cheaper than a heap when a row
// takes a few hundred candidates out of many thousands. Until the first cut every candidate
// is admitted; after it, only those closer than the k-th best at the last cut.
class NearestK {
 public:
  void Reset(uint32_t k) {
    k_ = k;
    bound_ = std::numeric_limits<float>::infinity();
    bound_item_ = 0;
    buffer_.clear();
    buffer_.reserve(2 * static_cast<size_t>(k) + 16);
  }
  // No candidate farther than this can enter.
  float Bound() const { return bound_; }
  bool Admits(float distance, uint32_t item) const {
    return distance < bound_ || (distance == bound_ && item < bound_item_);
  }
  void Add(float distance, uint32_t item) {
    buffer_.push_back({distance, item});
    if (buffer_.size() >= 2 * static_cast<size_t>(k_) + 16) Cut();
  }
  // The best min(k, added) candidates, nearest first.
  const std::vector<Candidate>& Sorted() {
    if (buffer_.size() > k_) Cut();
    std::sort(buffer_.begin(), buffer_.end(), Closer);
    return buffer_;
  }

 private:
  void Cut() {
    std::nth_element(buffer_.begin(), buffer_.begin() + (k_ - 1), buffer_.end(), Closer);
    bound_ = buffer_[k_ - 1].distance;
    bound_item_ = buffer_[k_ - 1].item;
    buffer_.resize(k_);
  }

  uint32_t k_ = 0;
  float bound_ = 0;
  uint32_t bound_item_ = 0;
  std::vector<Candidate> buffer_;
};

// The features with their rows stably reordered by pattern, so that the rows of a block mostly
// share one pattern and with it the weights of a whole chunk. Position p is row order[p].
struct Grouped {
  std::vector<uint32_t> order;
  std::vector<uint32_t> item;
  std::vector<uint32_t> pattern;
  Eigen::MatrixXf numeric;
  std::vector<uint32_t> categorical;  // Column-major, positions x K.
};

Grouped Group(const ItemFeatures& f) {
  const size_t rows = f.rows();
  Grouped g;
  g.order.resize(rows);
  std::iota(g.order.begin(), g.order.end(), 0u);
  std::stable_sort(g.order.begin(), g.order.end(),
                   [&](uint32_t a, uint32_t b) { return f.pattern[a] < f.pattern[b]; });
  g.item.resize(rows);
  g.pattern.resize(rows);
  for (size_t p = 0; p < rows; ++p) {
    g.item[p] = f.items[g.order[p]];
    g.pattern[p] = f.pattern[g.order[p]];
  }
  g.numeric = f.numeric(g.order, Eigen::all);
  g.categorical.resize(f.categorical.size());
  for (size_t c = 0; c < f.num_categorical; ++c) {
    for (size_t p = 0; p < rows; ++p) {
      g.categorical[c * rows + p] = f.categorical[c * rows + g.order[p]];
    }
  }
  return g;
}

// Pattern x pattern weights, row-major; empty when there are too many patterns.
struct WeightTables {
  uint32_t patterns = 0;
  std::vector<float> numeric;
  std::vector<float> categorical;
};

WeightTables MakeWeightTables(const ItemFeatures& f) {
  WeightTables t;
  t.patterns = f.num_patterns();
  if (t.patterns > kMaxTablePatterns) return t;
  const size_t p = t.patterns;
  t.numeric.resize(p * p);
  t.categorical.resize(p * p);
  for (uint32_t a = 0; a < p; ++a) {
    for (uint32_t b = 0; b < p; ++b) {
      t.numeric[a * p + b] = f.NumericWeight(a, b);
      t.categorical[a * p + b] = f.CategoricalWeight(a, b);
    }
  }
  return t;
}

// One worker: takes row blocks from `next` until none is left and writes their lists.
class Worker {
 public:
  Worker(const ItemFeatures& f, const Grouped& g, const WeightTables& tables, uint32_t per_row,
         NeighborLists* out)
      : f_(f), g_(g), tables_(tables), per_row_(per_row), out_(out), nearest_(kRowBlock) {
    acc_.resize(kColumnChunk);
    wn_.resize(kColumnChunk);
    wc_.resize(kColumnChunk, 0.0f);
    differing_.resize(kColumnChunk, 0);
    pass_.resize(kColumnChunk + 4);
    const uint32_t k = f.num_categorical;
    for (uint32_t m = 0; m <= k && k > 0; ++m) {
      fraction_.push_back(static_cast<float>(m) / static_cast<float>(k));
    }
  }

  void Run(std::atomic<uint32_t>* next, uint32_t blocks) {
    for (uint32_t b = next->fetch_add(1); b < blocks; b = next->fetch_add(1)) Block(b);
  }

 private:
  void Block(uint32_t block) {
    const uint32_t rows = static_cast<uint32_t>(f_.rows());
    const uint32_t r0 = block * kRowBlock;
    const uint32_t r1 = std::min(rows, r0 + kRowBlock);
    for (uint32_t r = r0; r < r1; ++r) nearest_[r - r0].Reset(per_row_);
    // Chunks from the block's own on, wrapping around: rows of one pattern are adjacent and
    // usually nearest to each other, so the bounds tighten early and the test skips more.
    const uint32_t chunks = (rows + kColumnChunk - 1) / kColumnChunk;
    const uint32_t first = r0 / kColumnChunk;
    for (uint32_t t = 0; t < chunks; ++t) {
      const uint32_t j0 = ((first + t) % chunks) * kColumnChunk;
      const uint32_t m = std::min(kColumnChunk, rows - j0);
      uint32_t weights_of = kNoPattern;  // The pattern wn_ / wc_ hold the chunk's weights for.
      for (uint32_t r = r0; r < r1; ++r) {
        SquaredDistances(r, j0, m);
        if (f_.num_categorical > 0) Mismatches(r, j0, m);
        if (g_.pattern[r] != weights_of) {
          weights_of = g_.pattern[r];
          Weights(weights_of, j0, m);
        }
        Select(r, j0, m, &nearest_[r - r0]);
      }
    }
    for (uint32_t r = r0; r < r1; ++r) {
      const std::vector<Candidate>& sorted = nearest_[r - r0].Sorted();
      const size_t base = static_cast<size_t>(g_.order[r]) * per_row_;
      for (size_t i = 0; i < sorted.size(); ++i) {
        out_->items[base + i] = sorted[i].item;
        out_->distances[base + i] = sorted[i].distance;
      }
    }
  }

  // acc_[jj] = squared Euclidean distance of positions r and j0 + jj, summed over the columns in
  // order as RowDistance does (the first group starts without the leading 0 + t0, which is
  // t0 exactly); up to four columns per pass over acc_.
  void SquaredDistances(uint32_t r, uint32_t j0, uint32_t m) {
    const Eigen::MatrixXf& x = g_.numeric;
    auto acc = acc_.head(m);
    auto term = [&](Eigen::Index c) {
      return (x.col(c).segment(j0, m).array() - x(r, c)).square();
    };
    const Eigen::Index d = x.cols();
    Eigen::Index c = std::min<Eigen::Index>(d, 4);
    switch (c) {
      case 1:
        acc = term(0);
        break;
      case 2:
        acc = term(0) + term(1);
        break;
      case 3:
        acc = term(0) + term(1) + term(2);
        break;
      default:
        acc = term(0) + term(1) + term(2) + term(3);
        break;
    }
    for (; c + 4 <= d; c += 4) acc = acc + term(c) + term(c + 1) + term(c + 2) + term(c + 3);
    for (; c < d; ++c) acc += term(c);
  }

  // differing_[jj] = number of categorical columns where positions r and j0 + jj differ; up to four
  // columns per pass over differing_.
  void Mismatches(uint32_t r, uint32_t j0, uint32_t m) {
    uint32_t* differing = differing_.data();
    std::fill(differing, differing + m, 0u);
    const size_t rows = f_.rows();
    const uint32_t k = f_.num_categorical;
    const uint32_t* cat = g_.categorical.data();
    uint32_t c = 0;
    for (; c + 4 <= k; c += 4) {
      const uint32_t* a = cat + c * rows;
      const uint32_t* b = a + rows;
      const uint32_t* d = b + rows;
      const uint32_t* e = d + rows;
      const uint32_t va = a[r], vb = b[r], vd = d[r], ve = e[r];
      a += j0, b += j0, d += j0, e += j0;
      for (uint32_t jj = 0; jj < m; ++jj) {
        differing[jj] += (a[jj] != va ? 1u : 0u) + (b[jj] != vb ? 1u : 0u) +
                         (d[jj] != vd ? 1u : 0u) + (e[jj] != ve ? 1u : 0u);
      }
    }
    for (; c < k; ++c) {
      const uint32_t* a = cat + c * rows;
      const uint32_t va = a[r];
      a += j0;
      for (uint32_t jj = 0; jj < m; ++jj) differing[jj] += a[jj] != va ? 1u : 0u;
    }
  }

  // wn_[jj], wc_[jj] = the weights of pattern pr and the pattern of position j0 + jj.
  void Weights(uint32_t pr, uint32_t j0, uint32_t m) {
    const uint32_t* pattern = g_.pattern.data() + j0;
    if (!tables_.numeric.empty()) {
      const float* wn = tables_.numeric.data() + size_t{pr} * tables_.patterns;
      const float* wc = tables_.categorical.data() + size_t{pr} * tables_.patterns;
      for (uint32_t jj = 0; jj < m; ++jj) {
        wn_[jj] = wn[pattern[jj]];
        wc_[jj] = wc[pattern[jj]];
      }
    } else {
      for (uint32_t jj = 0; jj < m; ++jj) {
        wn_[jj] = f_.NumericWeight(pr, pattern[jj]);
        wc_[jj] = f_.CategoricalWeight(pr, pattern[jj]);
      }
    }
  }

  // Adds the chunk's positions that can enter r's nearest. A cheap, branch-free (vectorised)
  // and conservative test first marks those whose distance may not exceed the bound: the
  // categorical term against the slack, then the squared numeric term against the room left,
  // without a square root. Only those get their exact distance, computed as RowDistance does.
  void Select(uint32_t r, uint32_t j0, uint32_t m, NearestK* nearest) {
    const float slack = Slack(nearest->Bound());
    const bool categorical = f_.num_categorical > 0;
    int32_t* pass = pass_.data();
    if (slack < std::numeric_limits<float>::infinity()) {
      const float inv_k = categorical ? 1.0f / static_cast<float>(f_.num_categorical) : 0.0f;
      const float* acc = acc_.data();
      const float* wn = wn_.data();
      const float* wc = wc_.data();
      const int32_t* differing = reinterpret_cast<const int32_t*>(differing_.data());
      for (uint32_t jj = 0; jj < m; ++jj) {
        const float cat = static_cast<float>(differing[jj]) * inv_k * wc[jj];
        const float room = slack - cat;
        pass[jj] = (cat <= slack) & (acc[jj] * (wn[jj] * wn[jj]) <= room * room);
      }
    } else {
      std::fill(pass, pass + m, 1);
    }
    std::fill(pass + m, pass + m + 4, 0);
    for (uint32_t q0 = 0; q0 < m; q0 += 4) {
      uint64_t flags[2];
      std::memcpy(flags, pass + q0, sizeof(flags));
      if ((flags[0] | flags[1]) == 0) continue;  // Most positions fail the test.
      for (uint32_t jj = q0; jj < q0 + 4; ++jj) {
        if (!pass[jj] || j0 + jj == r) continue;
        float distance = std::sqrt(acc_[jj]) * wn_[jj];
        if (categorical) distance += fraction_[differing_[jj]] * wc_[jj];
        const uint32_t item = g_.item[j0 + jj];
        if (nearest->Admits(distance, item)) nearest->Add(distance, item);
      }
    }
  }

  // A bound on the approximate distance of the test above which the exact distance exceeds
  // `bound`: a wide margin (1e-4 relative, 1e-30 absolute) over the few float roundings in
  // which the two differ. inf stays inf.
  static float Slack(float bound) { return bound * (1.0f + 1e-4f) + 1e-30f; }

  const ItemFeatures& f_;
  const Grouped& g_;
  const WeightTables& tables_;
  const uint32_t per_row_;
  NeighborLists* out_;
  std::vector<NearestK> nearest_;
  // Per chunk column: squared numeric distance, weights, mismatches, "may enter" flag.
  Eigen::ArrayXf acc_;
  std::vector<float> wn_;
  std::vector<float> wc_;
  std::vector<uint32_t> differing_;
  std::vector<int32_t> pass_;
  std::vector<float> fraction_;  // fraction_[m] = m / K, as RowDistance computes it.
};

}  // namespace

absl::StatusOr<NeighborLists> ComputeNeighbors(const ItemFeatures& f,
                                               const NeighborOptions& options) {
  const uint32_t rows = static_cast<uint32_t>(f.rows());
  NeighborLists out;
  out.per_row = rows == 0 ? 0 : std::min(options.neighbors, rows - 1);
  out.items.resize(static_cast<size_t>(rows) * out.per_row);
  out.distances.resize(out.items.size());
  if (out.per_row == 0) return out;
  const WeightTables tables = MakeWeightTables(f);
  const Grouped grouped = Group(f);
  const uint32_t blocks = (rows + kRowBlock - 1) / kRowBlock;
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, blocks);
  std::atomic<uint32_t> next{0};
  std::vector<Worker> workers;
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back(f, grouped, tables, out.per_row, &out);
  }
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t) {
      pool.emplace_back([&, t] { workers[t].Run(&next, blocks); });
    }
  } catch (const std::system_error& e) {
    next = blocks;  // Make started workers stop after their current block.
    for (std::thread& th : pool) th.join();
    return absl::InternalError(
        absl::StrCat("content_similarity: cannot start a thread: ", e.what()));
  }
  workers[0].Run(&next, blocks);
  for (std::thread& th : pool) th.join();
  return out;
}

}  // namespace recplat::similarity::internal
