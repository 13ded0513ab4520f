#include "frontends/http_rest/eosc/eosc_import.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"

namespace recplat::http::eosc {

DumpImporter::DumpImporter(api::Api* api, const common::Clock* clock, std::string tenant,
                           std::vector<std::string> train_models)
    : api_(api),
      clock_(clock),
      tenant_(std::move(tenant)),
      train_models_(std::move(train_models)),
      worker_([this] { Run(); }) {}

DumpImporter::~DumpImporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void DumpImporter::Enqueue(Dump dump, bool train) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Job{std::move(dump), train});
  }
  cv_.notify_all();
}

void DumpImporter::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void DumpImporter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and nothing left.
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const double start = clock_->MonotonicSeconds();
    absl::Status s = Import(job.dump);
    if (s.ok()) {
      RECPLAT_LOG(Info, "eosc: dump imported",
                  {{"services", absl::StrCat(job.dump.services.size())},
                   {"users", absl::StrCat(job.dump.users.size())},
                   {"seconds", absl::StrCat(clock_->MonotonicSeconds() - start)}});
      if (job.train) QueueTraining();
    } else {
      RECPLAT_LOG(Error, "eosc: dump import failed", {{"error", s.ToString()}});
    }
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

absl::StatusOr<ExistingState> DumpImporter::ReadExisting() {
  ExistingState existing;
  v1::ListItemsRequest list;
  list.set_tenant(tenant_);
  list.set_page_size(1000);
  do {
    RECPLAT_ASSIGN_OR_RETURN(v1::ListItemsResponse page, api_->ListItems(list));
    for (const v1::Item& item : page.items()) existing.item_ids.push_back(item.id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  for (const auto& [collection, keys] : {std::pair{kUsersCollection, &existing.user_keys},
                                         std::pair{kAaiCollection, &existing.aai_keys}}) {
    v1::ScanDocumentsRequest scan;
    scan.set_tenant(tenant_);
    scan.set_collection(collection);
    scan.set_keys_only(true);
    scan.set_limit(10000);
    do {
      RECPLAT_ASSIGN_OR_RETURN(v1::ScanDocumentsResponse page, api_->ScanDocuments(scan));
      for (const v1::Document& d : page.documents()) keys->push_back(d.key());
      scan.set_start_key(page.next_key());
    } while (!scan.start_key().empty());
  }
  return existing;
}

absl::Status DumpImporter::Import(const Dump& dump) {
  RECPLAT_ASSIGN_OR_RETURN(ExistingState existing, ReadExisting());
  v1::WriteRequest write = EncodeDump(dump, existing, tenant_, clock_->NowMs());
  if (write.ops_size() == 0) return absl::OkStatus();
  return api_->Write(write).status();
}

void DumpImporter::QueueTraining() {
  for (const std::string& model : train_models_) {
    v1::TrainRequest train;
    train.set_tenant(tenant_);
    train.set_model(model);
    absl::Status s = api_->Train(train).status();
    // Not configured (NOT_FOUND) or needing no training (FAILED_PRECONDITION): skipped.
    if (!s.ok() && !absl::IsNotFound(s) && !absl::IsFailedPrecondition(s)) {
      RECPLAT_LOG(Warn, "eosc: training request failed",
                  {{"model", model}, {"error", s.ToString()}});
    }
  }
}

}  // namespace recplat::http::eosc
