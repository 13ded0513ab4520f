// File: session_data.h
//
// The training data of GRU4Rec as sessions, and the session-parallel mini-batches that feed the
// network (Hidasi et al., ICLR'16, section 3.1.1). No torch here.
//
// Sessions come from TrainingData (interactions sorted by user, then time): each user's
// interactions are one sequence, split where two consecutive ones are more than `gap_ms` apart.
// In `recplat eval` every "user" already is a session; in serving a user is a visitor (or an
// anonymous session) and the gap makes the sessions.
//
// Session-parallel mini-batches: `batch_size` slots each walk through one session; at every
// step each slot's input is its current item and its target the next one. When a slot's
// session has no next pair it takes the next session in order, and its hidden state must be
// reset to zero before that session's first step (SessionBatch::starts). When sessions run out
// slots are dropped and the batch shrinks (SessionBatch::kept_rows says which rows of the
// previous state survive); iteration stops when fewer than `min_active` slots remain.
//
// Thread-safety: SessionSet is plain data; a SessionParallelBatcher is used by one thread.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/models/training_data.h"

namespace recplat::gru4rec {

// Sessions in CSR form: session s is items[offsets[s] .. offsets[s+1]) with the interaction
// times in times[same range], oldest first.
struct SessionSet {
  std::vector<uint32_t> items;
  std::vector<int64_t> times;
  std::vector<uint64_t> offsets = {0};

  size_t size() const { return offsets.size() - 1; }
  std::span<const uint32_t> Items(size_t s) const {
    return {items.data() + offsets[s], static_cast<size_t>(offsets[s + 1] - offsets[s])};
  }
  void Add(std::span<const uint32_t> session_items, std::span<const int64_t> session_times);
};

struct SessionOptions {
  // Idle gap that starts a new session; 0 = a user's interactions are one session.
  int64_t gap_ms = 30 * 60 * 1000;
  // By event type index (TrainingData::event_types): whether the type makes sessions. Empty =
  // every type.
  std::vector<bool> use_type;
  // Only sessions with at least one interaction after this time (whole sessions are kept).
  int64_t since_ms = std::numeric_limits<int64_t>::min();
  // Shorter sessions are dropped (one item gives no next-item pair).
  size_t min_length = 2;
};

// The sessions of `data` (catalog item indices), ordered by their first interaction's time
// (ties: user index, then position).
SessionSet BuildSessions(const models::TrainingData& data, const SessionOptions& options);

// One training step of the session-parallel iteration. All vectors have one entry per active
// slot (M), in slot order.
struct SessionBatch {
  std::vector<int64_t> inputs;
  std::vector<int64_t> targets;
  // 1 when the slot's session starts at this step: zero its hidden state first.
  std::vector<uint8_t> starts;
  // When slots were dropped since the previous step: for each slot, its row in the previous
  // step's state. Empty when every slot kept its row.
  std::vector<int64_t> kept_rows;
};

class SessionParallelBatcher {
 public:
  // Walks `sessions` in order (every session is assumed to have >= 2 items; shorter ones are
  // skipped). `sessions` is not owned and must outlive the batcher. REQUIRES: batch_size >= 1,
  // min_active >= 1.
  SessionParallelBatcher(const SessionSet& sessions, int batch_size, int min_active);

  // Fills `batch` with the next step; false when the iteration is over.
  bool Next(SessionBatch* batch);

 private:
  struct Slot {
    uint64_t pos = 0;  // Index of the current input in sessions_.items.
    uint64_t end = 0;  // One past the session's last item.
    bool started = true;
  };
  // Puts the next session with >= 2 items into `slot`; false when none is left.
  bool Refill(Slot* slot);

  const SessionSet& sessions_;
  const int batch_size_;
  const int min_active_;
  size_t next_session_ = 0;
  bool first_ = true;
  std::vector<Slot> slots_;
};

}  // namespace recplat::gru4rec
