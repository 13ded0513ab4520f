// LocalService: the DocumentService reads (see proto/recplat/v1/documents.proto); PutDocuments
// is in local_service_write.cc.
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/service/local_service.h"
#include "core/api/validation.h"
#include "recplat/v1/log_record.pb.h"

namespace recplat::service {

absl::StatusOr<v1::GetDocumentsResponse> LocalService::GetDocuments(
    const v1::GetDocumentsRequest& request) {
  const api::ValidationOptions& vo = validation_;
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeCollection(vo, &tenant, request.collection(), "request"));
  RECPLAT_RETURN_IF_ERROR(api::CheckBatchSize(request.keys_size(), vo.max_batch, "keys"));
  for (int i = 0; i < request.keys_size(); ++i) {
    if (request.keys(i).empty() || request.keys(i).size() > api::Limits::kMaxDocumentKeyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys[", i, "]: must be 1..", api::Limits::kMaxDocumentKeyBytes, " bytes"));
    }
  }
  std::vector<std::string> keys(request.keys().begin(), request.keys().end());
  std::vector<v1::Document> found;
  RECPLAT_RETURN_IF_ERROR(c_.state->GetDocuments(tenant, request.collection(), keys, &found));
  v1::GetDocumentsResponse response;
  for (v1::Document& doc : found) *response.add_documents() = std::move(doc);
  return response;
}

absl::StatusOr<v1::ScanDocumentsResponse> LocalService::ScanDocuments(
    const v1::ScanDocumentsRequest& request) {
  const api::ValidationOptions& vo = validation_;
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeCollection(vo, &tenant, request.collection(), "request"));
  if (request.limit() < 0 || request.limit() > api::Limits::kMaxScanLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be 0..", api::Limits::kMaxScanLimit, " (0 means 1000)"));
  }
  const size_t limit = request.limit() == 0 ? 1000 : static_cast<size_t>(request.limit());
  std::vector<v1::Document> found;
  v1::ScanDocumentsResponse response;
  RECPLAT_RETURN_IF_ERROR(c_.state->ScanDocuments(tenant, request.collection(), request.prefix(),
                                                  request.start_key(), limit, request.keys_only(),
                                                  request.reverse(), &found,
                                                  response.mutable_next_key()));
  for (v1::Document& doc : found) *response.add_documents() = std::move(doc);
  return response;
}

}  // namespace recplat::service
