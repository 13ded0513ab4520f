#include "core/models/item_similarity.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "core/common/status_macros.h"

namespace recplat::models {
namespace {

// A sparse matrix in compressed rows: row r holds (index[k], value[k]) for k in
// [start[r], start[r+1]).
struct Csr {
  std::vector<uint64_t> start;
  std::vector<uint32_t> index;
  std::vector<float> value;
};

struct Entry {
  uint32_t user;
  uint32_t item;
  float value;
};

// Distinct (user, item) entries of R sorted by (user, item), keeping the largest value.
std::vector<Entry> BuildEntries(const TrainingData& data, bool weighted, uint32_t* num_users,
                                uint32_t* num_items) {
  std::vector<Entry> e;
  e.reserve(data.interactions.size());
  *num_users = data.num_users;
  *num_items = data.num_items;
  for (const Interaction& x : data.interactions) {
    const float w =
        x.type < data.event_type_weights.size() ? data.event_type_weights[x.type] : 1.0f;
    if (!(w > 0)) {
      continue;
    }
    e.push_back({x.user, x.item, weighted ? w : 1.0f});
    *num_users = std::max(*num_users, x.user + 1);
    *num_items = std::max(*num_items, x.item + 1);
  }
  std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) {
    return a.user != b.user   ? a.user < b.user
           : a.item != b.item ? a.item < b.item
                              : a.value > b.value;
  });
  e.erase(std::unique(
              e.begin(), e.end(),
              [](const Entry& a, const Entry& b) { return a.user == b.user && a.item == b.item; }),
          e.end());
  return e;
}

// Rows by `row_of`, columns by `col_of`, from entries in any order (counting sort; within a row,
// entries keep their relative order).
template <typename RowOf, typename ColOf>
Csr BuildCsr(const std::vector<Entry>& e, uint32_t rows, RowOf row_of, ColOf col_of) {
  Csr m;
  m.start.assign(static_cast<size_t>(rows) + 1, 0);
  for (const Entry& x : e) {
    ++m.start[row_of(x) + 1];
  }
  for (uint32_t r = 0; r < rows; ++r) {
    m.start[r + 1] += m.start[r];
  }
  m.index.resize(e.size());
  m.value.resize(e.size());
  std::vector<uint64_t> fill(m.start.begin(), m.start.end() - 1);
  for (const Entry& x : e) {
    const uint64_t at = fill[row_of(x)]++;
    m.index[at] = col_of(x);
    m.value[at] = x.value;
  }
  return m;
}

struct Neighbor {
  uint32_t item;
  float sim;
};

bool MoreSimilar(const Neighbor& a, const Neighbor& b) {
  return a.sim != b.sim ? a.sim > b.sim : a.item < b.item;
}

}  // namespace

absl::StatusOr<NeighborLists> ComputeItemNeighbors(const TrainingData& data,
                                                   const SimilarityOptions& options) {
  uint32_t num_users = 0;
  uint32_t num_items = 0;
  const std::vector<Entry> entries = BuildEntries(data, options.weighted, &num_users, &num_items);
  if (entries.empty()) {
    return absl::FailedPreconditionError(
        "item_knn: no interactions with a positive event type weight to train on");
  }
  const Csr by_user = BuildCsr(
      entries, num_users, [](const Entry& x) { return x.user; },
      [](const Entry& x) { return x.item; });
  const Csr by_item = BuildCsr(
      entries, num_items, [](const Entry& x) { return x.item; },
      [](const Entry& x) { return x.user; });
  std::vector<double> norm(num_items, 0.0);
  for (uint32_t i = 0; i < num_items; ++i) {
    double sq = 0;
    for (uint64_t k = by_item.start[i]; k < by_item.start[i + 1]; ++k) {
      sq += static_cast<double>(by_item.value[k]) * by_item.value[k];
    }
    norm[i] = std::sqrt(sq);
  }

  std::vector<std::vector<Neighbor>> rows(num_items);
  std::atomic<uint32_t> next{0};
  constexpr uint32_t kChunk = 4;
  auto worker = [&] {
    std::vector<double> acc(num_items, 0.0);
    std::vector<uint32_t> touched;
    std::vector<Neighbor> candidates;
    for (uint32_t begin = next.fetch_add(kChunk); begin < num_items;
         begin = next.fetch_add(kChunk)) {
      // A process shutting down stops the fit between chunks (CANCELLED below).
      if (data.stop.stop_requested()) return;
      const uint32_t end = std::min(num_items, begin + kChunk);
      for (uint32_t i = begin; i < end; ++i) {
        touched.clear();
        for (uint64_t k = by_item.start[i]; k < by_item.start[i + 1]; ++k) {
          const uint32_t u = by_item.index[k];
          const double r_ui = by_item.value[k];
          for (uint64_t l = by_user.start[u]; l < by_user.start[u + 1]; ++l) {
            const uint32_t j = by_user.index[l];
            if (acc[j] == 0.0) {
              touched.push_back(j);
            }
            acc[j] += r_ui * by_user.value[l];
          }
        }
        candidates.clear();
        for (uint32_t j : touched) {
          if (j != i) {
            const double sim = acc[j] / (norm[i] * norm[j] + options.shrink);
            candidates.push_back({j, static_cast<float>(sim)});
          }
          acc[j] = 0.0;
        }
        if (candidates.size() > options.neighbors) {
          std::nth_element(candidates.begin(), candidates.begin() + options.neighbors,
                           candidates.end(), MoreSimilar);
          candidates.resize(options.neighbors);
        }
        std::sort(candidates.begin(), candidates.end(), MoreSimilar);
        rows[i] = candidates;
      }
    }
  };
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  threads = std::max(1u, std::min<unsigned>(threads, num_items / kChunk + 1));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  worker();
  for (std::thread& t : pool) {
    t.join();
  }
  RECPLAT_RETURN_IF_ERROR(CheckStop(data.stop));

  NeighborLists out;
  out.offsets.assign(static_cast<size_t>(num_items) + 1, 0);
  for (uint32_t i = 0; i < num_items; ++i) {
    out.offsets[i + 1] = out.offsets[i] + rows[i].size();
  }
  out.items.reserve(out.offsets.back());
  out.sims.reserve(out.offsets.back());
  for (std::vector<Neighbor>& row : rows) {
    for (const Neighbor& n : row) {
      out.items.push_back(n.item);
      out.sims.push_back(n.sim);
    }
    std::vector<Neighbor>().swap(row);
  }
  return out;
}

}  // namespace recplat::models
