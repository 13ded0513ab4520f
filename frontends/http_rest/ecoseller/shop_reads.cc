#include "frontends/http_rest/ecoseller/shop_reads.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/store_codec.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {
namespace {

using nlohmann::json;

// Models the ecoseller names without a version in their identifier.
bool BareIdentifier(absl::string_view model) {
  return model == "dummy" || model == "selection" || model == "popularity";
}

}  // namespace

ShopReads::ShopReads(api::Api* api, std::string tenant) : api_(api), tenant_(std::move(tenant)) {}

absl::StatusOr<std::shared_ptr<const EcosellerConfig>> ShopReads::CurrentConfig() {
  v1::GetDocumentsRequest req;
  req.set_tenant(tenant_);
  req.set_collection(std::string(kConfigs));
  req.add_keys(std::string(kCurrentConfigKey));
  RECPLAT_ASSIGN_OR_RETURN(v1::GetDocumentsResponse got, api_->GetDocuments(req));
  const int64_t version = got.documents_size() == 0 ? 0 : got.documents(0).version();
  {
    absl::MutexLock lock(&mu_);
    if (config_ != nullptr && config_version_ == version) return config_;
  }
  auto parsed = std::make_shared<EcosellerConfig>();
  if (version > 0) {
    const json body = json::parse(got.documents(0).body(), nullptr, /*allow_exceptions=*/false);
    absl::StatusOr<EcosellerConfig> config = ParseEcosellerConfig(body, absl::UnixEpoch());
    if (config.ok()) {
      *parsed = *std::move(config);
    } else {
      // Written by this codec, so this means a corrupt document: serve the defaults.
      RECPLAT_LOG(Warn, "ecoseller: undecodable config version, using the defaults",
                  {{"version", version}, {"error", config.status().ToString()}});
    }
  }
  absl::MutexLock lock(&mu_);
  config_ = std::move(parsed);
  config_version_ = version;
  return config_;
}

std::string ShopReads::Identifier(const std::string& model, int64_t version) {
  if (BareIdentifier(model) || version <= 0) return model;
  const std::string key = absl::StrCat(model, "@", version);
  {
    absl::MutexLock lock(&mu_);
    if (auto it = identifiers_.find(key); it != identifiers_.end()) return it->second;
  }
  absl::StatusOr<std::vector<v1::ModelVersion>> versions = Versions(model);
  std::string identifier = absl::StrCat(model, "_", version);
  if (versions.ok()) {
    for (const v1::ModelVersion& v : *versions) {
      if (v.version() != version) continue;
      identifier = absl::StrCat(
          model, "_",
          absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixMillis(v.created_at_ms()),
                           absl::UTCTimeZone()));
      absl::MutexLock lock(&mu_);
      identifiers_[key] = identifier;
    }
  }
  return identifier;
}

absl::StatusOr<bool> ShopReads::HasCategory(int64_t category_id) const {
  v1::GetDocumentsRequest req;
  req.set_tenant(tenant_);
  req.set_collection("_shop.category");
  req.add_keys(absl::StrCat(category_id));
  RECPLAT_ASSIGN_OR_RETURN(v1::GetDocumentsResponse got, api_->GetDocuments(req));
  return got.documents_size() > 0;
}

absl::StatusOr<ShopCounts> ShopReads::Counts() const {
  ShopCounts counts;
  RECPLAT_ASSIGN_OR_RETURN(v1::GetStatsResponse stats, api_->GetStats({}));
  for (const v1::TenantStats& t : stats.tenants()) {
    if (t.tenant() != tenant_) continue;
    auto count = [&](absl::string_view type) -> int64_t {
      auto it = t.events_by_type().find(std::string(type));
      return it == t.events_by_type().end() ? 0 : static_cast<int64_t>(it->second);
    };
    counts.reviews = count(kEventReview);
    counts.detail_enters = count(kEventDetailEnter);
  }
  v1::ScanDocumentsRequest req;
  req.set_tenant(tenant_);
  req.set_collection("_shop.variant");
  req.set_keys_only(true);
  req.set_limit(10000);
  while (true) {
    RECPLAT_ASSIGN_OR_RETURN(v1::ScanDocumentsResponse page, api_->ScanDocuments(req));
    counts.variants += page.documents_size();
    if (page.next_key().empty()) return counts;
    req.set_start_key(page.next_key());
  }
}

absl::StatusOr<std::vector<v1::ModelVersion>> ShopReads::Versions(absl::string_view model) const {
  v1::ListModelsRequest req;
  req.set_tenant(tenant_);
  req.set_model(std::string(model));
  RECPLAT_ASSIGN_OR_RETURN(v1::ListModelsResponse got, api_->ListModels(req));
  return std::vector<v1::ModelVersion>(got.versions().begin(), got.versions().end());
}

}  // namespace recplat::http::ecoseller
