// File: fake_api.h
//
// FakeApi: an api::Api for unit tests of frontends and transports, with no core behind it (no
// RocksDB, no engine). Every method records the request it receives and answers from what the
// test programmed for that method:
//
//   FakeApi api;
//   v1::RecommendResponse answer;
//   answer.add_items()->set_item_id("a");
//   api.recommend().Respond(answer);                     // every call answers `answer`
//   api.get_item().Fail(absl::NotFoundError("item 'x'")); // every call fails
//   api.write().Handle([](const v1::WriteRequest& r) -> absl::StatusOr<v1::WriteResponse> {
//     ...                                                 // computed per request
//   });
//   ... run the code under test ...
//   EXPECT_EQ(api.recommend().last_request().surface(), "home");
//   EXPECT_THAT(api.CallOrder(), ElementsAre("Write", "Recommend"));
//
// Defaults: every method answers OK with an empty response; Ready() is true.
//
// Thread-safety: thread-safe. Handlers run outside the fake's locks, so a handler may block
// (e.g. to test deadlines) without blocking other calls, and may call the fake.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/api/api.h"
#include "google/protobuf/message.h"

namespace recplat::testing {

// One call received by a FakeApi, in arrival order across all methods.
struct FakeApiCall {
  // The Api method name, e.g. "Recommend".
  std::string method;
  // A copy of the request (its concrete type is the method's request type).
  std::shared_ptr<const google::protobuf::Message> request;

  // The request as `Req`, or nullptr when it is of another type.
  template <typename Req>
  const Req* As() const {
    return dynamic_cast<const Req*>(request.get());
  }
};

// The calls of all methods of one FakeApi, in order. Thread-safe.
class FakeApiCallLog {
 public:
  void Add(FakeApiCall call);
  std::vector<FakeApiCall> calls() const;
  void Clear();

 private:
  mutable absl::Mutex mu_;
  std::vector<FakeApiCall> calls_ ABSL_GUARDED_BY(mu_);
};

// The programmable answer and the recorded requests of one Api method.
template <typename Req, typename Resp>
class FakeMethod {
 public:
  using Handler = std::function<absl::StatusOr<Resp>(const Req&)>;

  // `log` is not owned and must outlive this method.
  FakeMethod(std::string name, FakeApiCallLog* log) : name_(std::move(name)), log_(log) {}

  // Every following call answers `response`.
  void Respond(Resp response) {
    Handle(
        [response = std::move(response)](const Req&) -> absl::StatusOr<Resp> { return response; });
  }

  // Every following call fails with `status` (an OK status answers an empty response).
  void Fail(absl::Status status) {
    Handle([status = std::move(status)](const Req&) -> absl::StatusOr<Resp> {
      if (status.ok()) return Resp();
      return status;
    });
  }

  // Every following call answers handler(request). `handler` may be called concurrently.
  void Handle(Handler handler) {
    absl::MutexLock lock(&mu_);
    handler_ = std::make_shared<const Handler>(std::move(handler));
  }

  // Back to the default answer (OK, empty response); forgets the recorded requests.
  void Reset() {
    absl::MutexLock lock(&mu_);
    handler_ = nullptr;
    requests_.clear();
  }

  // The requests received so far, in order.
  std::vector<Req> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

  int calls() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(requests_.size());
  }

  // The latest request; an empty request when there was none.
  Req last_request() const {
    absl::MutexLock lock(&mu_);
    return requests_.empty() ? Req() : requests_.back();
  }

  // Records `request` and answers it. Called by FakeApi.
  absl::StatusOr<Resp> Call(const Req& request) {
    std::shared_ptr<const Handler> handler;
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(request);
      handler = handler_;
    }
    log_->Add(FakeApiCall{name_, std::make_shared<const Req>(request)});
    if (handler == nullptr) return Resp();
    return (*handler)(request);
  }

 private:
  const std::string name_;
  FakeApiCallLog* const log_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Handler> handler_ ABSL_GUARDED_BY(mu_);
  std::vector<Req> requests_ ABSL_GUARDED_BY(mu_);
};

class FakeApi final : public api::Api {
 public:
  FakeApi();

  // The programmable side of each Api method (named after it, in snake_case).
  FakeMethod<v1::UpsertItemsRequest, v1::UpsertItemsResponse>& upsert_items() {
    return upsert_items_;
  }
  FakeMethod<v1::DeleteItemsRequest, v1::DeleteItemsResponse>& delete_items() {
    return delete_items_;
  }
  FakeMethod<v1::GetItemRequest, v1::Item>& get_item() { return get_item_; }
  FakeMethod<v1::ListItemsRequest, v1::ListItemsResponse>& list_items() { return list_items_; }
  FakeMethod<v1::UpsertUsersRequest, v1::UpsertUsersResponse>& upsert_users() {
    return upsert_users_;
  }
  FakeMethod<v1::GetUserRequest, v1::GetUserResponse>& get_user() { return get_user_; }
  FakeMethod<v1::WriteRequest, v1::WriteResponse>& write() { return write_; }
  FakeMethod<v1::AppendEventsRequest, v1::AppendEventsResponse>& append_events() {
    return append_events_;
  }
  FakeMethod<v1::PutDocumentsRequest, v1::PutDocumentsResponse>& put_documents() {
    return put_documents_;
  }
  FakeMethod<v1::GetDocumentsRequest, v1::GetDocumentsResponse>& get_documents() {
    return get_documents_;
  }
  FakeMethod<v1::ScanDocumentsRequest, v1::ScanDocumentsResponse>& scan_documents() {
    return scan_documents_;
  }
  FakeMethod<v1::RecommendRequest, v1::RecommendResponse>& recommend() { return recommend_; }
  FakeMethod<v1::SimilarItemsRequest, v1::SimilarItemsResponse>& similar_items() {
    return similar_items_;
  }
  FakeMethod<v1::ScanServedRequest, v1::ScanServedResponse>& scan_served() { return scan_served_; }
  FakeMethod<v1::EvaluateServedRequest, v1::EvaluateServedResponse>& evaluate_served() {
    return evaluate_served_;
  }
  FakeMethod<v1::ListModelsRequest, v1::ListModelsResponse>& list_models() { return list_models_; }
  FakeMethod<v1::TrainRequest, v1::TrainResponse>& train() { return train_; }
  FakeMethod<v1::PromoteRequest, v1::PromoteResponse>& promote() { return promote_; }
  FakeMethod<v1::ModelTrainingStatsRequest, v1::ModelTrainingStatsResponse>&
  model_training_stats() {
    return model_training_stats_;
  }
  FakeMethod<v1::GetStatsRequest, v1::GetStatsResponse>& get_stats() { return get_stats_; }
  FakeMethod<v1::GetConfigRequest, v1::GetConfigResponse>& get_config() { return get_config_; }

  // What Ready() answers (default true).
  void SetReady(bool ready) { ready_.store(ready); }
  // How many times Ready() was called.
  int ready_calls() const { return ready_calls_.load(); }

  // Every call of every method (Ready() excluded), in arrival order.
  std::vector<FakeApiCall> Calls() const { return log_.calls(); }
  // The method names of Calls().
  std::vector<std::string> CallOrder() const;
  // Forgets Calls() (the per-method requests stay; see FakeMethod::Reset).
  void ClearCalls() { log_.Clear(); }

  // api::Api
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
  absl::StatusOr<v1::ScanDocumentsResponse> ScanDocuments(const v1::ScanDocumentsRequest&) override;
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

 private:
  FakeApiCallLog log_;  // Declared first: the methods hold a pointer to it.
  FakeMethod<v1::UpsertItemsRequest, v1::UpsertItemsResponse> upsert_items_;
  FakeMethod<v1::DeleteItemsRequest, v1::DeleteItemsResponse> delete_items_;
  FakeMethod<v1::GetItemRequest, v1::Item> get_item_;
  FakeMethod<v1::ListItemsRequest, v1::ListItemsResponse> list_items_;
  FakeMethod<v1::UpsertUsersRequest, v1::UpsertUsersResponse> upsert_users_;
  FakeMethod<v1::GetUserRequest, v1::GetUserResponse> get_user_;
  FakeMethod<v1::WriteRequest, v1::WriteResponse> write_;
  FakeMethod<v1::AppendEventsRequest, v1::AppendEventsResponse> append_events_;
  FakeMethod<v1::PutDocumentsRequest, v1::PutDocumentsResponse> put_documents_;
  FakeMethod<v1::GetDocumentsRequest, v1::GetDocumentsResponse> get_documents_;
  FakeMethod<v1::ScanDocumentsRequest, v1::ScanDocumentsResponse> scan_documents_;
  FakeMethod<v1::RecommendRequest, v1::RecommendResponse> recommend_;
  FakeMethod<v1::SimilarItemsRequest, v1::SimilarItemsResponse> similar_items_;
  FakeMethod<v1::ScanServedRequest, v1::ScanServedResponse> scan_served_;
  FakeMethod<v1::EvaluateServedRequest, v1::EvaluateServedResponse> evaluate_served_;
  FakeMethod<v1::ListModelsRequest, v1::ListModelsResponse> list_models_;
  FakeMethod<v1::TrainRequest, v1::TrainResponse> train_;
  FakeMethod<v1::PromoteRequest, v1::PromoteResponse> promote_;
  FakeMethod<v1::ModelTrainingStatsRequest, v1::ModelTrainingStatsResponse> model_training_stats_;
  FakeMethod<v1::GetStatsRequest, v1::GetStatsResponse> get_stats_;
  FakeMethod<v1::GetConfigRequest, v1::GetConfigResponse> get_config_;
  std::atomic<bool> ready_{true};
  mutable std::atomic<int> ready_calls_{0};
};

}  // namespace recplat::testing
