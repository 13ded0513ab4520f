// File: response_cache.h
//
// ResponseCache: the engine's response cache of one surface (surfaces.<s>.cache). An entry maps
// the key of a request (ResponseCacheKey: every request field but dry_run, plus the gate states
// of the models the request could use, and the newest event of the requesting user and
// session) to the response computed for it. It is served for at most ttl_seconds (by the
// injected clock) and evicted least-recently-used beyond `size`.
//
// Entries belong to a serving generation of the registry (ModelRegistry::ServingGeneration):
// an access with a newer generation drops everything older, so a promotion of any model empties
// the cache; a lookup or insert with an older generation (a request that started before the
// promotion) misses or is dropped.
//
// Sharding: caches of 128 entries or more spread keys over 16 shards, each with its own mutex,
// LRU list and generation; the LRU order is exact per shard (so exact for smaller caches, which
// use one). Critical sections are a hash lookup and a list splice; responses are shared
// immutable snapshots, copied by the caller outside the lock.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "core/common/clock.h"
#include "core/config/config.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

class ResponseCache {
 public:
  // REQUIRES: config.size > 0. `clock` is not owned and must outlive the cache.
  ResponseCache(const config::ResponseCacheConfig& config, const common::Clock& clock);
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The stored response of `key`; null when absent, expired or of another generation.
  std::shared_ptr<const v1::RecommendResponse> Lookup(const std::string& key, uint64_t generation);

  // Stores `response` under `key` (replacing an entry of the same key), evicting the least
  // recently used entry of a full shard.
  void Insert(const std::string& key, v1::RecommendResponse response, uint64_t generation);

  // Entries held (expired ones included until they are looked up or evicted).
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const v1::RecommendResponse> response;
    double expires_at = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    // Most recently used first. Guarded by mu.
    std::list<Entry> lru;
    // Keys point into the list's entries. Guarded by mu.
    absl::flat_hash_map<absl::string_view, std::list<Entry>::iterator> index;
    // Generation of the entries held. Guarded by mu.
    uint64_t generation = 0;
  };

  Shard& ShardOf(const std::string& key);
  // Brings `shard` to `generation`; false when `generation` is older than the shard's.
  // REQUIRES: shard.mu held.
  static bool SyncGeneration(Shard& shard, uint64_t generation);

  const size_t capacity_per_shard_;
  const double ttl_seconds_;
  const common::Clock& clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

// The cache key of `request` on the surface named `surface_name`: the request without dry_run
// and with the resolved surface name, serialised deterministically, then `model_states` (what
// the engine adds: gate states and the requester's newest events).
std::string ResponseCacheKey(const v1::RecommendRequest& request, absl::string_view surface_name,
                             absl::string_view model_states);

}  // namespace recplat::engine
