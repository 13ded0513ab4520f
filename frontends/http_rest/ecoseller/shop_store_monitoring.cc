// ShopStore monitoring: prediction records (queued, flushed in batches by a background thread)
// and the time-range scans the dashboard reads.
#include <algorithm>
#include <iterator>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/api/validation.h"
#include "frontends/http_rest/ecoseller/shop_codec.h"
#include "frontends/http_rest/ecoseller/shop_store.h"
#include "frontends/http_rest/ecoseller/shop_store_impl.h"

namespace recplat::http::ecoseller {

void ShopStore::RecordPrediction(PredictionRecord record) {
  absl::MutexLock lock(&impl_->pending_mu);
  std::vector<PredictionRecord>& pending = impl_->pending;
  if (pending.size() >= Impl::kMaxPendingPredictions) {
    pending.erase(pending.begin());
    RECPLAT_LOG(Warn, "ecoseller: prediction record queue full, dropping the oldest");
  }
  pending.push_back(std::move(record));
}

absl::Status ShopStore::FlushPredictions() { return impl_->FlushPending(); }

absl::Status ShopStore::Impl::FlushPending() {
  absl::MutexLock flush_lock(&flush_mu);
  std::vector<PredictionRecord> batch;
  {
    absl::MutexLock lock(&pending_mu);
    batch.swap(pending);
  }
  const size_t chunk = static_cast<size_t>(options.write_batch);
  for (size_t begin = 0; begin < batch.size(); begin += chunk) {
    const size_t end = std::min(batch.size(), begin + chunk);
    v1::PutDocumentsRequest request;
    for (size_t i = begin; i < end; ++i) {
      v1::Document doc;
      doc.set_tenant(options.tenant);
      doc.set_collection(std::string(shop::kPredictions));
      doc.set_key(TimeKey(batch[i].create_at, NextDiscriminator()));
      doc.set_body(shop::PredictionToJson(batch[i]).dump(
          -1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace));
      if (doc.body().size() > api::Limits::kMaxDocumentBodyBytes) {
        // It can never be written; keeping it would block the queue.
        RECPLAT_LOG(Warn, "ecoseller: dropping an oversized prediction record",
                    {{"bytes", doc.body().size()}});
        continue;
      }
      *request.add_documents() = std::move(doc);
    }
    if (request.documents_size() == 0) {
      continue;
    }
    absl::Status status = api->PutDocuments(request).status();
    if (!status.ok()) {
      // Put the unwritten records back in front of those queued meanwhile.
      absl::MutexLock lock(&pending_mu);
      std::vector<PredictionRecord> unwritten(std::make_move_iterator(batch.begin() + begin),
                                              std::make_move_iterator(batch.end()));
      std::move(pending.begin(), pending.end(), std::back_inserter(unwritten));
      if (unwritten.size() > kMaxPendingPredictions) {
        unwritten.erase(unwritten.begin(),
                        unwritten.begin() + (unwritten.size() - kMaxPendingPredictions));
      }
      pending = std::move(unwritten);
      return status;
    }
  }
  return absl::OkStatus();
}

void ShopStore::Impl::FlushLoop() {
  while (true) {
    {
      absl::MutexLock lock(&pending_mu);
      pending_mu.AwaitWithTimeout(absl::Condition(&stopping), options.prediction_flush_interval);
      if (stopping) {
        return;
      }
    }
    if (absl::Status status = FlushPending(); !status.ok()) {
      RECPLAT_LOG(Warn, "ecoseller: writing prediction records failed; will retry",
                  {{"error", status.ToString()}});
    }
  }
}

void ShopStore::Impl::StopFlusher() {
  {
    absl::MutexLock lock(&pending_mu);
    stopping = true;
  }
  if (flusher.joinable()) {
    flusher.join();
  }
  if (absl::Status status = FlushPending(); !status.ok()) {
    RECPLAT_LOG(Error, "ecoseller: prediction records lost at shutdown",
                {{"error", status.ToString()}});
  }
}

absl::Status ShopStore::ScanPredictions(
    absl::Time from, absl::Time to, const std::function<void(const PredictionRecord&)>& fn) const {
  if (absl::Status status = impl_->FlushPending(); !status.ok()) {
    RECPLAT_LOG(Warn, "ecoseller: writing prediction records before a scan failed",
                {{"error", status.ToString()}});
  }
  if (from >= to) {
    return absl::OkStatus();
  }
  return impl_->Scan(shop::kPredictions, TimeKey(from, 0), TimeKey(to, 0), /*keys_only=*/false,
                     [&](const v1::Document& doc) {
                       absl::StatusOr<PredictionRecord> record =
                           shop::PredictionFromBody(doc.body());
                       if (!record.ok()) {
                         RECPLAT_LOG(Warn, "ecoseller: skipping an undecodable prediction record",
                                     {{"key", doc.key()}, {"error", record.status().ToString()}});
                         return;
                       }
                       fn(*record);
                     });
}

absl::Status ShopStore::ScanDetailEnters(
    absl::Time from, absl::Time to,
    const std::function<void(const ProductDetailEnter&)>& fn) const {
  if (from >= to) {
    return absl::OkStatus();
  }
  return impl_->Scan(shop::kDetailEnters, TimeKey(from, 0), TimeKey(to, 0), /*keys_only=*/false,
                     [&](const v1::Document& doc) {
                       absl::StatusOr<StoreObject> object = shop::FromDocumentBody(doc.body());
                       if (!object.ok() || !std::holds_alternative<ProductDetailEnter>(*object)) {
                         RECPLAT_LOG(Warn, "ecoseller: skipping an undecodable detail enter",
                                     {{"key", doc.key()}});
                         return;
                       }
                       fn(std::get<ProductDetailEnter>(*object));
                     });
}

}  // namespace recplat::http::ecoseller
