#include "core/engine/response_cache.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace recplat::engine {
namespace {

size_t ShardCount(int32_t size) { return size >= 128 ? 16 : 1; }

}  // namespace

ResponseCache::ResponseCache(const config::ResponseCacheConfig& config, const common::Clock& clock)
    : capacity_per_shard_(
          (static_cast<size_t>(std::max(1, config.size)) + ShardCount(config.size) - 1) /
          ShardCount(config.size)),
      ttl_seconds_(config.ttl_seconds),
      clock_(clock) {
  for (size_t i = 0; i < ShardCount(config.size); ++i) shards_.push_back(std::make_unique<Shard>());
}

ResponseCache::Shard& ResponseCache::ShardOf(const std::string& key) {
  return *shards_[absl::Hash<std::string>()(key) % shards_.size()];
}

bool ResponseCache::SyncGeneration(Shard& shard, uint64_t generation) {
  if (generation < shard.generation) return false;
  if (generation > shard.generation) {
    shard.index.clear();
    shard.lru.clear();
    shard.generation = generation;
  }
  return true;
}

std::shared_ptr<const v1::RecommendResponse> ResponseCache::Lookup(const std::string& key,
                                                                   uint64_t generation) {
  const double now = clock_.MonotonicSeconds();
  Shard& shard = ShardOf(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  if (!SyncGeneration(shard, generation)) return nullptr;
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return nullptr;
  if (it->second->expires_at <= now) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->response;
}

void ResponseCache::Insert(const std::string& key, v1::RecommendResponse response,
                           uint64_t generation) {
  auto stored = std::make_shared<const v1::RecommendResponse>(std::move(response));
  const double expires_at = clock_.MonotonicSeconds() + ttl_seconds_;
  Shard& shard = ShardOf(key);
  // Replaced and evicted entries are destroyed after the unlock.
  std::list<Entry> dropped;
  std::lock_guard<std::mutex> lock(shard.mu);
  if (!SyncGeneration(shard, generation)) return;
  if (auto it = shard.index.find(key); it != shard.index.end()) {
    auto pos = it->second;
    shard.index.erase(it);
    dropped.splice(dropped.end(), shard.lru, pos);
  }
  shard.lru.push_front(Entry{key, std::move(stored), expires_at});
  shard.index.emplace(shard.lru.front().key, shard.lru.begin());
  while (shard.lru.size() > capacity_per_shard_) {
    shard.index.erase(shard.lru.back().key);
    dropped.splice(dropped.end(), shard.lru, std::prev(shard.lru.end()));
  }
}

size_t ResponseCache::size() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    n += shard->lru.size();
  }
  return n;
}

std::string ResponseCacheKey(const v1::RecommendRequest& request, absl::string_view surface_name,
                             absl::string_view model_states) {
  v1::RecommendRequest canonical = request;
  canonical.set_dry_run(false);
  // Read-your-writes waiting happens before the engine; it does not change the answer.
  canonical.clear_min_offset();
  canonical.set_surface(std::string(surface_name));
  // Length-prefixed states, then the request: no two (request, states) pairs share a key.
  std::string key = absl::StrCat(model_states.size(), ":", model_states);
  {
    google::protobuf::io::StringOutputStream stream(&key);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    canonical.SerializeToCodedStream(&out);
  }
  return key;
}

}  // namespace recplat::engine
