#include "tests/testing/fake_api.h"

namespace recplat::testing {

void FakeApiCallLog::Add(FakeApiCall call) {
  absl::MutexLock lock(&mu_);
  calls_.push_back(std::move(call));
}

std::vector<FakeApiCall> FakeApiCallLog::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

void FakeApiCallLog::Clear() {
  absl::MutexLock lock(&mu_);
  calls_.clear();
}

FakeApi::FakeApi()
    : upsert_items_("UpsertItems", &log_),
      delete_items_("DeleteItems", &log_),
      get_item_("GetItem", &log_),
      list_items_("ListItems", &log_),
      upsert_users_("UpsertUsers", &log_),
      get_user_("GetUser", &log_),
      write_("Write", &log_),
      append_events_("AppendEvents", &log_),
      put_documents_("PutDocuments", &log_),
      get_documents_("GetDocuments", &log_),
      scan_documents_("ScanDocuments", &log_),
      recommend_("Recommend", &log_),
      similar_items_("SimilarItems", &log_),
      scan_served_("ScanServed", &log_),
      evaluate_served_("EvaluateServed", &log_),
      list_models_("ListModels", &log_),
      train_("Train", &log_),
      promote_("Promote", &log_),
      model_training_stats_("ModelTrainingStats", &log_),
      get_stats_("GetStats", &log_),
      get_config_("GetConfig", &log_) {}

std::vector<std::string> FakeApi::CallOrder() const {
  std::vector<std::string> names;
  for (const FakeApiCall& call : log_.calls()) {
    names.push_back(call.method);
  }
  return names;
}

absl::StatusOr<v1::UpsertItemsResponse> FakeApi::UpsertItems(const v1::UpsertItemsRequest& r) {
  return upsert_items_.Call(r);
}
absl::StatusOr<v1::DeleteItemsResponse> FakeApi::DeleteItems(const v1::DeleteItemsRequest& r) {
  return delete_items_.Call(r);
}
absl::StatusOr<v1::Item> FakeApi::GetItem(const v1::GetItemRequest& r) { return get_item_.Call(r); }
absl::StatusOr<v1::ListItemsResponse> FakeApi::ListItems(const v1::ListItemsRequest& r) {
  return list_items_.Call(r);
}
absl::StatusOr<v1::UpsertUsersResponse> FakeApi::UpsertUsers(const v1::UpsertUsersRequest& r) {
  return upsert_users_.Call(r);
}
absl::StatusOr<v1::GetUserResponse> FakeApi::GetUser(const v1::GetUserRequest& r) {
  return get_user_.Call(r);
}
absl::StatusOr<v1::WriteResponse> FakeApi::Write(const v1::WriteRequest& r) {
  return write_.Call(r);
}
absl::StatusOr<v1::AppendEventsResponse> FakeApi::AppendEvents(const v1::AppendEventsRequest& r) {
  return append_events_.Call(r);
}
absl::StatusOr<v1::PutDocumentsResponse> FakeApi::PutDocuments(const v1::PutDocumentsRequest& r) {
  return put_documents_.Call(r);
}
absl::StatusOr<v1::GetDocumentsResponse> FakeApi::GetDocuments(const v1::GetDocumentsRequest& r) {
  return get_documents_.Call(r);
}
absl::StatusOr<v1::ScanDocumentsResponse> FakeApi::ScanDocuments(
    const v1::ScanDocumentsRequest& r) {
  return scan_documents_.Call(r);
}
absl::StatusOr<v1::RecommendResponse> FakeApi::Recommend(const v1::RecommendRequest& r) {
  return recommend_.Call(r);
}
absl::StatusOr<v1::SimilarItemsResponse> FakeApi::SimilarItems(const v1::SimilarItemsRequest& r) {
  return similar_items_.Call(r);
}
absl::StatusOr<v1::ScanServedResponse> FakeApi::ScanServed(const v1::ScanServedRequest& r) {
  return scan_served_.Call(r);
}
absl::StatusOr<v1::EvaluateServedResponse> FakeApi::EvaluateServed(
    const v1::EvaluateServedRequest& r) {
  return evaluate_served_.Call(r);
}
absl::StatusOr<v1::ListModelsResponse> FakeApi::ListModels(const v1::ListModelsRequest& r) {
  return list_models_.Call(r);
}
absl::StatusOr<v1::TrainResponse> FakeApi::Train(const v1::TrainRequest& r) {
  return train_.Call(r);
}
absl::StatusOr<v1::PromoteResponse> FakeApi::Promote(const v1::PromoteRequest& r) {
  return promote_.Call(r);
}
absl::StatusOr<v1::ModelTrainingStatsResponse> FakeApi::ModelTrainingStats(
    const v1::ModelTrainingStatsRequest& r) {
  return model_training_stats_.Call(r);
}
absl::StatusOr<v1::GetStatsResponse> FakeApi::GetStats(const v1::GetStatsRequest& r) {
  return get_stats_.Call(r);
}
absl::StatusOr<v1::GetConfigResponse> FakeApi::GetConfig(const v1::GetConfigRequest& r) {
  return get_config_.Call(r);
}

bool FakeApi::Ready() const {
  ready_calls_.fetch_add(1);
  return ready_.load();
}

}  // namespace recplat::testing
