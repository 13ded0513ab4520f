#include "core/api/read_your_writes.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace recplat::api {
namespace {

std::string Key(const std::string& tenant, char kind, const std::string& id) {
  return absl::StrCat(tenant, std::string(1, '\0'), std::string(1, kind), id);
}

}  // namespace

bool IsMinOffsetTimeout(const absl::Status& status) {
  // service::LocalService::WaitMinOffset's answers; the gRPC client keeps code and message.
  return (status.code() == absl::StatusCode::kUnavailable ||
          status.code() == absl::StatusCode::kDeadlineExceeded) &&
         absl::StartsWith(status.message(), "min_offset ");
}

ReadYourWritesApi::ReadYourWritesApi(Api* inner, size_t capacity)
    : inner_(inner), capacity_(capacity) {}

size_t ReadYourWritesApi::remembered() const {
  absl::MutexLock lock(&mu_);
  return offsets_.size();
}

void ReadYourWritesApi::Note(const std::string& tenant, char kind, const std::string& id,
                             uint64_t offset) {
  if (capacity_ == 0 || id.empty()) return;
  absl::MutexLock lock(&mu_);
  Entry& entry = offsets_[Key(tenant, kind, id)];
  entry.offset = std::max(entry.offset, offset);
  entry.touched = ++clock_;
  if (offsets_.size() > capacity_) EvictOldestHalf();
}

void ReadYourWritesApi::EvictOldestHalf() {
  std::vector<uint64_t> touched;
  touched.reserve(offsets_.size());
  for (const auto& [key, entry] : offsets_) touched.push_back(entry.touched);
  auto middle = touched.begin() + static_cast<std::ptrdiff_t>(touched.size() / 2);
  std::nth_element(touched.begin(), middle, touched.end());
  const uint64_t cutoff = *middle;
  absl::erase_if(offsets_, [cutoff](const auto& kv) { return kv.second.touched < cutoff; });
}

bool ReadYourWritesApi::Lookup(const std::string& tenant, const std::string& user_id,
                               const std::string& session_id, uint64_t* offset) const {
  if (capacity_ == 0) return false;
  bool found = false;
  *offset = 0;
  absl::MutexLock lock(&mu_);
  for (const auto& [kind, id] : {std::pair{'u', &user_id}, std::pair{'s', &session_id}}) {
    if (id->empty()) continue;
    auto it = offsets_.find(Key(tenant, kind, *id));
    if (it == offsets_.end()) continue;
    *offset = std::max(*offset, it->second.offset);
    found = true;
  }
  return found;
}

absl::StatusOr<v1::AppendEventsResponse> ReadYourWritesApi::AppendEvents(
    const v1::AppendEventsRequest& request) {
  absl::StatusOr<v1::AppendEventsResponse> response = inner_->AppendEvents(request);
  if (!response.ok()) return response;
  const int n = std::min(request.events_size(), response->offsets_size());
  for (int i = 0; i < n; ++i) {
    const v1::Event& event = request.events(i);
    Note(event.tenant(), 'u', event.user_id(), response->offsets(i));
    Note(event.tenant(), 's', event.session_id(), response->offsets(i));
  }
  return response;
}

absl::StatusOr<v1::WriteResponse> ReadYourWritesApi::Write(const v1::WriteRequest& request) {
  absl::StatusOr<v1::WriteResponse> response = inner_->Write(request);
  if (!response.ok()) return response;
  const int n = std::min(request.ops_size(), response->offsets_size());
  for (int i = 0; i < n; ++i) {
    const v1::WriteOp& op = request.ops(i);
    const uint64_t offset = response->offsets(i);
    if (op.has_event()) {
      Note(op.event().tenant(), 'u', op.event().user_id(), offset);
      Note(op.event().tenant(), 's', op.event().session_id(), offset);
    } else if (op.has_upsert_user()) {
      Note(op.upsert_user().tenant(), 'u', op.upsert_user().id(), offset);
    }
  }
  return response;
}

absl::StatusOr<v1::UpsertUsersResponse> ReadYourWritesApi::UpsertUsers(
    const v1::UpsertUsersRequest& request) {
  absl::StatusOr<v1::UpsertUsersResponse> response = inner_->UpsertUsers(request);
  if (!response.ok()) return response;
  const int n = std::min(request.users_size(), response->offsets_size());
  for (int i = 0; i < n; ++i) {
    Note(request.users(i).tenant(), 'u', request.users(i).id(), response->offsets(i));
  }
  return response;
}

absl::StatusOr<v1::RecommendResponse> ReadYourWritesApi::Recommend(
    const v1::RecommendRequest& request) {
  uint64_t offset = 0;
  if (!Lookup(request.tenant(), request.user_id(), request.session_id(), &offset) ||
      (request.has_min_offset() && request.min_offset() >= offset)) {
    return inner_->Recommend(request);
  }
  v1::RecommendRequest waiting = request;
  waiting.set_min_offset(offset);
  absl::StatusOr<v1::RecommendResponse> response = inner_->Recommend(waiting);
  if (response.ok() || !IsMinOffsetTimeout(response.status())) return response;
  stale_fallbacks_.fetch_add(1, std::memory_order_relaxed);
  return inner_->Recommend(request);
}

absl::StatusOr<v1::GetUserResponse> ReadYourWritesApi::GetUser(const v1::GetUserRequest& request) {
  uint64_t offset = 0;
  if (!Lookup(request.tenant(), request.id(), std::string(), &offset) ||
      (request.has_min_offset() && request.min_offset() >= offset)) {
    return inner_->GetUser(request);
  }
  v1::GetUserRequest waiting = request;
  waiting.set_min_offset(offset);
  absl::StatusOr<v1::GetUserResponse> response = inner_->GetUser(waiting);
  if (response.ok() || !IsMinOffsetTimeout(response.status())) return response;
  stale_fallbacks_.fetch_add(1, std::memory_order_relaxed);
  return inner_->GetUser(request);
}

// The rest pass through.
absl::StatusOr<v1::UpsertItemsResponse> ReadYourWritesApi::UpsertItems(
    const v1::UpsertItemsRequest& r) {
  return inner_->UpsertItems(r);
}
absl::StatusOr<v1::DeleteItemsResponse> ReadYourWritesApi::DeleteItems(
    const v1::DeleteItemsRequest& r) {
  return inner_->DeleteItems(r);
}
absl::StatusOr<v1::Item> ReadYourWritesApi::GetItem(const v1::GetItemRequest& r) {
  return inner_->GetItem(r);
}
absl::StatusOr<v1::ListItemsResponse> ReadYourWritesApi::ListItems(const v1::ListItemsRequest& r) {
  return inner_->ListItems(r);
}
absl::StatusOr<v1::PutDocumentsResponse> ReadYourWritesApi::PutDocuments(
    const v1::PutDocumentsRequest& r) {
  return inner_->PutDocuments(r);
}
absl::StatusOr<v1::GetDocumentsResponse> ReadYourWritesApi::GetDocuments(
    const v1::GetDocumentsRequest& r) {
  return inner_->GetDocuments(r);
}
absl::StatusOr<v1::ScanDocumentsResponse> ReadYourWritesApi::ScanDocuments(
    const v1::ScanDocumentsRequest& r) {
  return inner_->ScanDocuments(r);
}
absl::StatusOr<v1::SimilarItemsResponse> ReadYourWritesApi::SimilarItems(
    const v1::SimilarItemsRequest& r) {
  return inner_->SimilarItems(r);
}
absl::StatusOr<v1::ScanServedResponse> ReadYourWritesApi::ScanServed(
    const v1::ScanServedRequest& r) {
  return inner_->ScanServed(r);
}
absl::StatusOr<v1::EvaluateServedResponse> ReadYourWritesApi::EvaluateServed(
    const v1::EvaluateServedRequest& r) {
  return inner_->EvaluateServed(r);
}
absl::StatusOr<v1::ListModelsResponse> ReadYourWritesApi::ListModels(
    const v1::ListModelsRequest& r) {
  return inner_->ListModels(r);
}
absl::StatusOr<v1::TrainResponse> ReadYourWritesApi::Train(const v1::TrainRequest& r) {
  return inner_->Train(r);
}
absl::StatusOr<v1::PromoteResponse> ReadYourWritesApi::Promote(const v1::PromoteRequest& r) {
  return inner_->Promote(r);
}
absl::StatusOr<v1::ModelTrainingStatsResponse> ReadYourWritesApi::ModelTrainingStats(
    const v1::ModelTrainingStatsRequest& r) {
  return inner_->ModelTrainingStats(r);
}
absl::StatusOr<v1::GetStatsResponse> ReadYourWritesApi::GetStats(const v1::GetStatsRequest& r) {
  return inner_->GetStats(r);
}
absl::StatusOr<v1::GetConfigResponse> ReadYourWritesApi::GetConfig(
    const v1::GetConfigRequest& r) {
  return inner_->GetConfig(r);
}
bool ReadYourWritesApi::Ready() const { return inner_->Ready(); }

}  // namespace recplat::api
