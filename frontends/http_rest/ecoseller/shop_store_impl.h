// File: shop_store_impl.h
//
// ShopStore::Impl (private to the ecoseller module): the state shared by shop_store.cc (Open,
// Store, mirror reads) and shop_store_monitoring.cc (prediction records, time-range scans).
//
// Locks, in acquisition order: store_mu (serialises Store) -> mu (the mirror); flush_mu
// (serialises prediction flushes) -> pending_mu (the queue); models_mu is a leaf.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/shop_mirror.h"
#include "frontends/http_rest/ecoseller/shop_store.h"

namespace recplat::http::ecoseller {

struct ShopStore::Impl {
  // At most this many prediction records wait for a flush; older ones are dropped beyond it.
  static constexpr size_t kMaxPendingPredictions = 100000;

  api::Api* api = nullptr;  // Not owned.
  ShopStoreOptions options;

  absl::Mutex store_mu;
  mutable absl::Mutex mu;
  shop::ShopMirror mirror ABSL_GUARDED_BY(mu);

  // Training: models known to be configured (trainable or not) and names the core refused.
  absl::Mutex models_mu;
  std::set<std::string> configured_models ABSL_GUARDED_BY(models_mu);
  std::set<std::string> refused_models ABSL_GUARDED_BY(models_mu);

  // Source of TimeKey discriminators (seeded randomly at Open, so keys written by different
  // processes within one microsecond differ too).
  std::atomic<uint32_t> next_discriminator{0};

  absl::Mutex flush_mu;
  absl::Mutex pending_mu ABSL_ACQUIRED_AFTER(flush_mu);
  std::vector<PredictionRecord> pending ABSL_GUARDED_BY(pending_mu);
  bool stopping ABSL_GUARDED_BY(pending_mu) = false;
  std::thread flusher;

  uint32_t NextDiscriminator() { return next_discriminator.fetch_add(1); }

  // Api::Train for each of `models` the core may have configured (see shop_store.h).
  void Train(const std::set<std::string>& models);

  // Calls `fn` for every document of `collection` with start_key <= key < end_key (no end when
  // `end_key` is empty), in key order, paging through ScanDocuments.
  absl::Status Scan(absl::string_view collection, const std::string& start_key,
                    const std::string& end_key, bool keys_only,
                    const std::function<void(const v1::Document&)>& fn) const;

  // Writes the queued prediction records (see ShopStore::FlushPredictions).
  absl::Status FlushPending();
  // The flusher thread: FlushPending every prediction_flush_interval until `stopping`.
  void FlushLoop();
  // Stops the flusher and writes what is queued.
  void StopFlusher();
};

}  // namespace recplat::http::ecoseller
