#include "frontends/renewal_ws/renewal_config.h"

#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"

namespace recplat::renewal_ws {

void RenewalSection::Bind(common::SectionBinder& binder) {
  binder.String("token", token, common::StringFieldOptions::Secret());
  binder.String("api_base_uri", api_base_uri, common::StringFieldOptions::NonEmpty());
  binder.String("ca_file", ca_file);
  binder.Bool("insecure_skip_verify", insecure_skip_verify);
  binder.String("surface", surface, common::StringFieldOptions::NonEmpty());
  binder.Int("default_limit", default_limit, 1, 100000);
  binder.Int("max_k", max_k, 0, std::numeric_limits<int32_t>::max());
  binder.Int("write_batch", write_batch, 1, 100000);
  binder.Double("reconnect_base_seconds", reconnect_base_seconds, 0, 3600, /*min_exclusive=*/true);
  binder.Double("reconnect_max_seconds", reconnect_max_seconds, 0, 86400, /*min_exclusive=*/true);
}

absl::Status RenewalSection::Validate() const {
  if (reconnect_max_seconds < reconnect_base_seconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("reconnect_max_seconds: must not be below reconnect_base_seconds (",
                     reconnect_max_seconds, " < ", reconnect_base_seconds, ")"));
  }
  return absl::OkStatus();
}

common::FrontendRegistration RenewalRegistration() {
  common::FrontendRegistration r;
  r.name = kRenewalFrontendName;
  r.make_section = [] { return std::make_unique<RenewalSection>(); };
  r.env_aliases = {
      {"RENEWAL_TOKEN", "renewal.token"},
      {"RENEWAL_API_BASE_URI", "renewal.api_base_uri"},
      {"RENEWAL_CA_FILE", "renewal.ca_file"},
      {"RENEWAL_INSECURE", "renewal.insecure_skip_verify"},
      {"RENEWAL_LOG_LEVEL", "logging.level"},
  };
  r.mounts_on_http = false;
  return r;
}

}  // namespace recplat::renewal_ws
