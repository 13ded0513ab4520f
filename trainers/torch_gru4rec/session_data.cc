#include "trainers/torch_gru4rec/session_data.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace recplat::gru4rec {

void SessionSet::Add(std::span<const uint32_t> session_items,
                     std::span<const int64_t> session_times) {
  items.insert(items.end(), session_items.begin(), session_items.end());
  times.insert(times.end(), session_times.begin(), session_times.end());
  offsets.push_back(items.size());
}

SessionSet BuildSessions(const models::TrainingData& data, const SessionOptions& options) {
  // Pass 1: cut the interaction list into sessions [begin, end) of kept interactions.
  struct Cut {
    int64_t start_ms;
    uint32_t user;
    size_t first;  // Index into `kept`.
    size_t count;
  };
  std::vector<size_t> kept;
  std::vector<Cut> cuts;
  auto close = [&](size_t first) {
    const size_t count = kept.size() - first;
    if (count == 0) return;
    bool recent = false;
    for (size_t k = first; k < kept.size(); ++k) {
      recent |= data.interactions[kept[k]].timestamp_ms > options.since_ms;
    }
    if (count >= options.min_length && recent) {
      const models::Interaction& head = data.interactions[kept[first]];
      cuts.push_back({head.timestamp_ms, head.user, first, count});
    } else {
      kept.resize(first);
    }
  };
  size_t first = 0;
  for (size_t k = 0; k < data.interactions.size(); ++k) {
    const models::Interaction& x = data.interactions[k];
    if (!options.use_type.empty() &&
        (x.type >= options.use_type.size() || !options.use_type[x.type])) {
      continue;
    }
    if (kept.size() > first) {
      const models::Interaction& prev = data.interactions[kept.back()];
      if (prev.user != x.user ||
          (options.gap_ms > 0 && x.timestamp_ms - prev.timestamp_ms > options.gap_ms)) {
        close(first);
        first = kept.size();
      }
    }
    kept.push_back(k);
  }
  close(first);
  // Pass 2: in order of start time.
  std::stable_sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) {
    return std::tie(a.start_ms, a.user) < std::tie(b.start_ms, b.user);
  });
  SessionSet out;
  out.items.reserve(kept.size());
  out.times.reserve(kept.size());
  out.offsets.reserve(cuts.size() + 1);
  for (const Cut& c : cuts) {
    for (size_t k = c.first; k < c.first + c.count; ++k) {
      out.items.push_back(data.interactions[kept[k]].item);
      out.times.push_back(data.interactions[kept[k]].timestamp_ms);
    }
    out.offsets.push_back(out.items.size());
  }
  return out;
}

SessionParallelBatcher::SessionParallelBatcher(const SessionSet& sessions, int batch_size,
                                               int min_active)
    : sessions_(sessions), batch_size_(batch_size), min_active_(min_active) {}

bool SessionParallelBatcher::Refill(Slot* slot) {
  while (next_session_ < sessions_.size()) {
    const size_t s = next_session_++;
    if (sessions_.offsets[s + 1] - sessions_.offsets[s] >= 2) {
      *slot = {sessions_.offsets[s], sessions_.offsets[s + 1], true};
      return true;
    }
  }
  return false;
}

bool SessionParallelBatcher::Next(SessionBatch* batch) {
  batch->kept_rows.clear();
  if (first_) {
    first_ = false;
    Slot slot;
    while (static_cast<int>(slots_.size()) < batch_size_ && Refill(&slot)) {
      slots_.push_back(slot);
    }
  } else {
    std::vector<Slot> next;
    next.reserve(slots_.size());
    bool dropped = false;
    std::vector<int64_t> rows;
    for (size_t k = 0; k < slots_.size(); ++k) {
      Slot slot = slots_[k];
      ++slot.pos;
      slot.started = false;
      if (slot.pos + 1 >= slot.end && !Refill(&slot)) {
        dropped = true;
        continue;
      }
      next.push_back(slot);
      rows.push_back(static_cast<int64_t>(k));
    }
    slots_ = std::move(next);
    if (dropped) batch->kept_rows = std::move(rows);
  }
  if (slots_.empty() || static_cast<int>(slots_.size()) < min_active_) {
    return false;
  }
  const size_t m = slots_.size();
  batch->inputs.resize(m);
  batch->targets.resize(m);
  batch->starts.resize(m);
  for (size_t k = 0; k < m; ++k) {
    batch->inputs[k] = sessions_.items[slots_[k].pos];
    batch->targets[k] = sessions_.items[slots_[k].pos + 1];
    batch->starts[k] = slots_[k].started ? 1 : 0;
  }
  return true;
}

}  // namespace recplat::gru4rec
