// File: read_your_writes.h
//
// ReadYourWritesApi: an Api decorator that gives each user and each session of a frontend
// read-your-writes across the replicas of one event log (log.backend: jetstream, several core
// replicas behind one address) and across the materializer's lag on a single node. It
// remembers the highest log offset that each (tenant, user id) and (tenant, session id) wrote
// through it (events, user upserts) and sets `min_offset` on the next Recommend and GetUser of
// that user or session, so the replica answering first applies that write (a bounded wait in
// the core, see RecommendRequest.min_offset).
//
// When that bounded wait fails (the core answers UNAVAILABLE or DEADLINE_EXCEEDED for the
// min_offset it was given), the read is retried once without min_offset: serving a slightly
// stale list beats failing the request. Such fallbacks are counted (stale_fallbacks()).
//
// Memory: at most `capacity` keys; past that the least recently written half is forgotten,
// which only drops those keys' guarantee. capacity 0 turns the decorator into a pass-through.
//
// Thread-safety: thread-safe. `inner` is not owned and must outlive the decorator.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "core/api/api.h"

namespace recplat::api {

class ReadYourWritesApi final : public Api {
 public:
  ReadYourWritesApi(Api* inner, size_t capacity);

  absl::StatusOr<v1::UpsertItemsResponse> UpsertItems(const v1::UpsertItemsRequest&) override;
  absl::StatusOr<v1::DeleteItemsResponse> DeleteItems(const v1::DeleteItemsRequest&) override;
  absl::StatusOr<v1::Item> GetItem(const v1::GetItemRequest&) override;
  absl::StatusOr<v1::ListItemsResponse> ListItems(const v1::ListItemsRequest&) override;
  absl::StatusOr<v1::UpsertUsersResponse> UpsertUsers(const v1::UpsertUsersRequest&) override;
  absl::StatusOr<v1::GetUserResponse> GetUser(const v1::GetUserRequest&) override;
  absl::StatusOr<v1::WriteResponse> Write(const v1::WriteRequest&) override;
  absl::StatusOr<v1::AppendEventsResponse> AppendEvents(const v1::AppendEventsRequest&) override;
  absl::StatusOr<v1::PutDocumentsResponse> PutDocuments(const v1::PutDocumentsRequest&) override;
  absl::StatusOr<v1::GetDocumentsResponse> GetDocuments(const v1::GetDocumentsRequest&) override;
  absl::StatusOr<v1::ScanDocumentsResponse> ScanDocuments(
      const v1::ScanDocumentsRequest&) override;
  absl::StatusOr<v1::RecommendResponse> Recommend(const v1::RecommendRequest&) override;
  absl::StatusOr<v1::SimilarItemsResponse> SimilarItems(const v1::SimilarItemsRequest&) override;
  absl::StatusOr<v1::ScanServedResponse> ScanServed(const v1::ScanServedRequest&) override;
  absl::StatusOr<v1::EvaluateServedResponse> EvaluateServed(
      const v1::EvaluateServedRequest&) override;
  absl::StatusOr<v1::ListModelsResponse> ListModels(const v1::ListModelsRequest&) override;
  absl::StatusOr<v1::TrainResponse> Train(const v1::TrainRequest&) override;
  absl::StatusOr<v1::PromoteResponse> Promote(const v1::PromoteRequest&) override;
  absl::StatusOr<v1::ModelTrainingStatsResponse> ModelTrainingStats(
      const v1::ModelTrainingStatsRequest&) override;
  absl::StatusOr<v1::GetStatsResponse> GetStats(const v1::GetStatsRequest&) override;
  absl::StatusOr<v1::GetConfigResponse> GetConfig(const v1::GetConfigRequest&) override;
  bool Ready() const override;

  // Reads answered without min_offset after the core could not honour it in time.
  int64_t stale_fallbacks() const { return stale_fallbacks_.load(std::memory_order_relaxed); }
  // Keys remembered now (for tests and diagnostics).
  size_t remembered() const;

 private:
  struct Entry {
    uint64_t offset = 0;
    // Write order, for dropping the least recently written half.
    uint64_t touched = 0;
  };

  void Note(const std::string& tenant, char kind, const std::string& id, uint64_t offset);
  // The highest offset remembered for the user and/or session (0 and false when none).
  bool Lookup(const std::string& tenant, const std::string& user_id,
              const std::string& session_id, uint64_t* offset) const;
  void EvictOldestHalf() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Api* const inner_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> offsets_ ABSL_GUARDED_BY(mu_);
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> stale_fallbacks_{0};
};

// Whether `status` is the core's refusal to wait longer for a request's min_offset.
bool IsMinOffsetTimeout(const absl::Status& status);

}  // namespace recplat::api
