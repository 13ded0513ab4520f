#include "tools/renewal_sim/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;

std::string Hmac(absl::string_view secret, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("jwt: ", why));
}

}  // namespace

std::string SignHs256(const json& claims, absl::string_view secret) {
  const json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  std::string signing_input = absl::StrCat(absl::WebSafeBase64Escape(header.dump()), ".",
                                           absl::WebSafeBase64Escape(claims.dump()));
  const std::string signature = absl::WebSafeBase64Escape(Hmac(secret, signing_input));
  return absl::StrCat(signing_input, ".", signature);
}

std::string RecsystemToken(absl::string_view sub, absl::string_view secret, absl::Time now,
                           absl::Duration ttl) {
  const int64_t iat = absl::ToUnixSeconds(now);
  json claims = {{"sub", std::string(sub)},
                 {"iat", iat},
                 {"exp", absl::ToUnixSeconds(now + ttl)},
                 {"renewal_role", "recsystem"},
                 {"user_id", std::string(sub)}};
  return SignHs256(claims, secret);
}

absl::StatusOr<json> VerifyHs256(absl::string_view token, absl::string_view secret,
                                 absl::Time now) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("not three segments");
  std::string header_raw, claims_raw, signature;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_raw) ||
      !absl::WebSafeBase64Unescape(parts[1], &claims_raw) ||
      !absl::WebSafeBase64Unescape(parts[2], &signature)) {
    return Unauthenticated("bad base64url");
  }
  const json header = json::parse(header_raw, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object() || header.value("alg", json()) != "HS256") {
    return Unauthenticated("unsupported header");
  }
  const std::string expected = Hmac(secret, token.substr(0, parts[0].size() + 1 + parts[1].size()));
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Unauthenticated("bad signature");
  }
  json claims = json::parse(claims_raw, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return Unauthenticated("claims are not an object");
  if (!claims.contains("sub") || !claims["sub"].is_string() ||
      claims["sub"].get<std::string>().empty()) {
    return Unauthenticated("no sub");
  }
  const int64_t now_s = absl::ToUnixSeconds(now);
  if (claims.contains("exp")) {
    if (!claims["exp"].is_number()) return Unauthenticated("bad exp");
    // exp may be 2^64-1 (never expires) in the 2020 backend's tokens; parsed non-negative
    // integers are unsigned.
    const json& exp = claims["exp"];
    bool expired = false;
    if (exp.is_number_unsigned()) {
      expired = now_s >= 0 && exp.get<uint64_t>() <= static_cast<uint64_t>(now_s);
    } else if (exp.is_number_integer()) {
      expired = exp.get<int64_t>() <= now_s;
    } else {
      expired = exp.get<double>() <= static_cast<double>(now_s);
    }
    if (expired) return Unauthenticated("expired");
  }
  if (claims.contains("iat")) {
    if (!claims["iat"].is_number()) return Unauthenticated("bad iat");
    if (claims["iat"].get<double>() > static_cast<double>(now_s + 60)) {
      return Unauthenticated("issued in the future");
    }
  }
  return claims;
}

}  // namespace recplat::renewal_sim
