// File: snapshot_cell.h
//
// SnapshotCell<T>: the slot of one published, immutable snapshot (a shared_ptr<const T>) that
// many threads read and a few replace. A read copies the pointer under a shared lock held for
// the copy only (a reference-count increment); a replacement swaps it under the exclusive lock
// and hands the old snapshot back, so its destruction happens outside the lock. Building the
// next snapshot (loading a model) is done before Exchange(), never under the lock.
//
// Why not std::atomic<std::shared_ptr<T>>: in bookworm's libstdc++ (GCC 12.2) its load() reads
// the stored pointer inside its internal spinlock but releases that lock with
// memory_order_relaxed, so the read is not ordered before a concurrent store's write. That is a
// data race under the C++ memory model (ThreadSanitizer reports it; see google/sanitizers#1558)
// and can pair a new pointer with the old control block on weakly ordered CPUs. Its load takes a
// lock word anyway, so this costs no more.
//
// std::shared_mutex rather than absl::Mutex: it is a pthread rwlock, which ThreadSanitizer
// understands, whereas bookworm's prebuilt Abseil is not instrumented; this is the one lock on
// the request path, so it is the one worth checking with TSAN.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>

namespace recplat::registry::internal {

template <typename T>
class SnapshotCell {
 public:
  SnapshotCell() = default;
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;

  // The current snapshot; null when none was published.
  std::shared_ptr<const T> Load() const {
    std::shared_lock lock(mu_);
    return value_;
  }

  // Publishes `next` and returns the snapshot it replaces (null when none).
  std::shared_ptr<const T> Exchange(std::shared_ptr<const T> next) {
    {
      std::unique_lock lock(mu_);
      value_.swap(next);
    }
    return next;
  }

 private:
  mutable std::shared_mutex mu_;
  // Guarded by mu_.
  std::shared_ptr<const T> value_;
};

}  // namespace recplat::registry::internal
