#include "frontends/http_rest/ecoseller/shop_reads.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/common/json.h"
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

void ShopReads::LoadConfiguredLocked() {
  std::set<std::string> configured;
  for (absl::string_view name : kEcosellerModelNames) {
    v1::ListModelsRequest req;
    req.set_tenant(tenant_);
    req.set_model(std::string(name));
    absl::StatusOr<v1::ListModelsResponse> got = api_->ListModels(req);
    if (got.ok()) {
      configured.insert(std::string(name));
    } else if (!absl::IsNotFound(got.status())) {
      return;  // The core is not answering: ask again next time.
    }
  }
  configured_ = std::move(configured);
}

bool ShopReads::Configured(absl::string_view model) {
  absl::MutexLock lock(&mu_);
  if (!configured_.has_value()) LoadConfiguredLocked();
  return configured_.has_value() && configured_->contains(std::string(model));
}

void ShopReads::RefreshConfigured() {
  absl::MutexLock lock(&mu_);
  configured_.reset();
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

absl::Status ShopReads::ScanPredictions(absl::Time from, absl::Time to,
                                        const std::function<void(const PredictionRecord&)>& fn) {
  v1::ScanServedRequest req;
  req.set_tenant(tenant_);
  req.set_from_ms(std::max<int64_t>(0, absl::ToUnixMillis(from)));
  req.set_to_ms(std::max<int64_t>(1, absl::ToUnixMillis(to)));
  req.set_limit(10000);
  while (true) {
    RECPLAT_ASSIGN_OR_RETURN(v1::ScanServedResponse page, api_->ScanServed(req));
    for (const v1::ServedList& s : page.lists()) {
      PredictionRecord r;
      r.create_at = absl::FromUnixMillis(s.served_at_ms());
      r.session_id = s.session_id();
      r.user_id = common::JsonInteger(json(s.user_id()));
      r.recommendation_type = s.surface();
      r.retrieval_model = s.retrieval_model();
      r.retrieval_identifier = Identifier(s.retrieval_model(), s.retrieval_model_version());
      const bool scored = !s.scoring_model().empty();
      r.scoring_model = scored ? s.scoring_model() : s.retrieval_model();
      r.scoring_identifier =
          scored ? Identifier(s.scoring_model(), s.scoring_model_version()) : r.retrieval_identifier;
      r.retrieval_seconds = s.retrieval_seconds();
      r.scoring_seconds = s.scoring_seconds();
      r.ordering_seconds = s.ordering_seconds();
      r.predicted_items.assign(s.item_ids().begin(), s.item_ids().end());
      fn(r);
    }
    if (page.next_page_token().empty()) return absl::OkStatus();
    req.set_page_token(page.next_page_token());
  }
}

absl::Status ShopReads::ScanDetailEnters(
    absl::Time from, absl::Time to,
    const std::function<void(const ProductDetailEnter&)>& fn) const {
  v1::ScanDocumentsRequest req;
  req.set_tenant(tenant_);
  req.set_collection(std::string(kDetailEnters));
  req.set_start_key(TimeKey(from, 0));
  req.set_limit(10000);
  // Keys past `to` (any salt) sort after this one.
  const std::string end = TimeKey(to + absl::Microseconds(1), 0);
  while (true) {
    RECPLAT_ASSIGN_OR_RETURN(v1::ScanDocumentsResponse page, api_->ScanDocuments(req));
    for (const v1::Document& doc : page.documents()) {
      if (doc.key() >= end) return absl::OkStatus();
      absl::StatusOr<StoreObject> object = ParseStoreObjectBody(doc.body(), absl::UnixEpoch());
      if (!object.ok() || !std::holds_alternative<ProductDetailEnter>(*object)) {
        RECPLAT_LOG(Warn, "ecoseller: skipping an undecodable detail enter", {{"key", doc.key()}});
        continue;
      }
      fn(std::get<ProductDetailEnter>(*object));
    }
    if (page.next_key().empty()) return absl::OkStatus();
    req.set_start_key(page.next_key());
  }
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
    counts.orders = count(kEventOrder);
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
