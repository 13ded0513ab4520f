#include "apps/recplat/security.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"

namespace recplat::app {
namespace {

absl::StatusOr<common::ServerTls> LoadListenerTls(const config::ListenerTlsConfig& tls,
                                                  absl::string_view listener) {
  common::ServerTls out;
  RECPLAT_ASSIGN_OR_RETURN(out.cert_chain_pem,
                           ReadPemFile(tls.cert_file, absl::StrCat(listener, ".tls.cert_file")));
  RECPLAT_ASSIGN_OR_RETURN(out.private_key_pem,
                           ReadPemFile(tls.key_file, absl::StrCat(listener, ".tls.key_file")));
  RECPLAT_ASSIGN_OR_RETURN(
      out.client_ca_pem,
      ReadPemFile(tls.client_ca_file, absl::StrCat(listener, ".tls.client_ca_file")));
  if (absl::Status s = common::CheckServerTls(out); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(listener, ".tls: ", s.message()));
  }
  return out;
}

absl::StatusOr<common::ClientTls> LoadCoreTls(const config::CoreTlsConfig& tls) {
  common::ClientTls out;
  out.enabled = tls.enabled;
  out.server_name = tls.server_name;
  RECPLAT_ASSIGN_OR_RETURN(out.ca_pem, ReadPemFile(tls.ca_file, "core.tls.ca_file"));
  RECPLAT_ASSIGN_OR_RETURN(out.cert_chain_pem, ReadPemFile(tls.cert_file, "core.tls.cert_file"));
  RECPLAT_ASSIGN_OR_RETURN(out.private_key_pem, ReadPemFile(tls.key_file, "core.tls.key_file"));
  if (absl::Status s = common::CheckClientTls(out); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("core.tls: ", s.message()));
  }
  return out;
}

absl::StatusOr<api::ApiKeys> LoadKeys(const config::AuthConfig& auth) {
  RECPLAT_ASSIGN_OR_RETURN(
      std::vector<std::string> user,
      api::ReadApiKeys({auth.api_key_file, auth.api_key_env, "auth.api_key_file",
                        "auth.api_key_env"}));
  RECPLAT_ASSIGN_OR_RETURN(
      std::vector<std::string> admin,
      api::ReadApiKeys({auth.admin_key_file, auth.admin_key_env, "auth.admin_key_file",
                        "auth.admin_key_env"}));
  absl::StatusOr<api::ApiKeys> keys = api::ApiKeys::Create(user, admin);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("auth: ", keys.status().message()));
  }
  return keys;
}

}  // namespace

absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view key) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": cannot read '", path, "': ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(key, ": cannot read '", path, "'"));
  return text.str();
}

absl::StatusOr<Security> LoadSecurity(const config::Config& config) {
  Security security;
  RECPLAT_ASSIGN_OR_RETURN(security.keys, LoadKeys(config.auth));
  if (config.http.enabled) {
    RECPLAT_ASSIGN_OR_RETURN(security.http_tls, LoadListenerTls(config.http.tls, "http"));
  }
  if (config.role == config::Role::kFrontend) {
    RECPLAT_ASSIGN_OR_RETURN(
        std::vector<std::string> core_keys,
        api::ReadApiKeys({config.core.api_key_file, config.core.api_key_env,
                          "core.api_key_file", "core.api_key_env"}));
    // Rotation is the core's business (it accepts old and new); a client sends one key.
    if (!core_keys.empty()) security.core_api_key = core_keys.front();
    RECPLAT_ASSIGN_OR_RETURN(security.core_tls, LoadCoreTls(config.core.tls));
  } else if (config.grpc.enabled) {
    RECPLAT_ASSIGN_OR_RETURN(security.grpc_tls, LoadListenerTls(config.grpc.tls, "grpc"));
  }
  if (config.metrics.enabled) {
    RECPLAT_ASSIGN_OR_RETURN(security.metrics.tls,
                             LoadListenerTls(config.metrics.tls, "metrics"));
    RECPLAT_ASSIGN_OR_RETURN(
        std::vector<std::string> tokens,
        api::ReadApiKeys({config.metrics.bearer_token_file, config.metrics.bearer_token_env,
                          "metrics.bearer_token_file", "metrics.bearer_token_env"}));
    if (!tokens.empty()) {
      absl::StatusOr<api::ApiKeys> checker = api::ApiKeys::Create(tokens, {});
      if (!checker.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("metrics.bearer_token_*: ", checker.status().message()));
      }
      security.metrics.authorize = [checker = *std::move(checker)](std::string_view value) {
        return checker.Check(absl::string_view(value.data(), value.size()),
                             api::Access::kUser) == api::AuthResult::kOk;
      };
      RECPLAT_LOG(Info, "the metrics listener requires a bearer token",
                  {{"tokens", tokens.size()}});
    }
  }
  const api::ApiKeys& keys = security.keys;
  if (keys.enabled()) {
    RECPLAT_LOG(Info, "API keys required",
                {{"user_keys", keys.user_key_count()}, {"admin_keys", keys.admin_key_count()}});
    if (keys.admin_key_count() == 0) {
      RECPLAT_LOG(Warn,
                  "user API keys are configured without an admin key: admin operations (train, "
                  "promote, deletes, config) accept user keys; set auth.admin_key_file or "
                  "auth.admin_key_env");
    }
  }
  return security;
}

}  // namespace recplat::app
