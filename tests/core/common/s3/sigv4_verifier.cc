#include "tests/core/common/s3/sigv4_verifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace recplat::s3::test {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string Decode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// RFC 3986 unreserved kept, everything else %XX, as AWS specifies.
std::string Encode(absl::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct Authorization {
  std::string access_key_id, date, region, service;
  std::vector<std::string> signed_headers;
  std::string signature;
};

absl::StatusOr<Authorization> ParseAuthorization(const CapturedRequest& request) {
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return absl::UnauthenticatedError("no Authorization header");
  absl::string_view value = it->second;
  if (!absl::ConsumePrefix(&value, "AWS4-HMAC-SHA256 ")) {
    return absl::InvalidArgumentError(absl::StrCat("not SigV4: ", it->second));
  }
  Authorization auth;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, "Credential=")) {
      std::vector<std::string> scope = absl::StrSplit(part, '/');
      if (scope.size() != 5 || scope[4] != "aws4_request") {
        return absl::InvalidArgumentError(absl::StrCat("bad credential scope: ", part));
      }
      auth.access_key_id = scope[0];
      auth.date = scope[1];
      auth.region = scope[2];
      auth.service = scope[3];
    } else if (absl::ConsumePrefix(&part, "SignedHeaders=")) {
      auth.signed_headers = absl::StrSplit(part, ';');
    } else if (absl::ConsumePrefix(&part, "Signature=")) {
      auth.signature = std::string(part);
    }
  }
  if (auth.signature.empty() || auth.signed_headers.empty() || auth.date.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("incomplete Authorization: ", it->second));
  }
  return auth;
}

std::string CanonicalQuery(absl::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    size_t eq = pair.find('=');
    std::string name = Encode(Decode(pair.substr(0, eq)), false);
    std::string value = eq == absl::string_view::npos ? "" : Encode(Decode(pair.substr(eq + 1)), false);
    params.emplace_back(std::move(name), std::move(value));
  }
  std::sort(params.begin(), params.end());
  return absl::StrJoin(params, "&", [](std::string* out, const auto& p) {
    absl::StrAppend(out, p.first, "=", p.second);
  });
}

}  // namespace

std::string Sha256HexForTest(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

absl::StatusOr<std::string> ExpectedSignature(const CapturedRequest& request,
                                              const std::string& secret) {
  absl::StatusOr<Authorization> auth = ParseAuthorization(request);
  if (!auth.ok()) return auth.status();
  absl::string_view target = request.target;
  absl::string_view path = target.substr(0, target.find('?'));
  absl::string_view query =
      target.find('?') == absl::string_view::npos ? "" : target.substr(target.find('?') + 1);
  std::string canonical_headers;
  for (const std::string& name : auth->signed_headers) {
    auto it = request.headers.find(name);
    if (it == request.headers.end()) {
      return absl::InvalidArgumentError(absl::StrCat("signed header '", name, "' not sent"));
    }
    std::string value(absl::StripAsciiWhitespace(it->second));
    std::string collapsed;
    for (char c : value) {
      if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
      collapsed.push_back(c);
    }
    absl::StrAppend(&canonical_headers, name, ":", collapsed, "\n");
  }
  auto hash = request.headers.find("x-amz-content-sha256");
  const std::string payload_hash =
      hash != request.headers.end() ? hash->second : Sha256HexForTest(request.body);
  const std::string canonical_request = absl::StrCat(
      request.method, "\n", Encode(Decode(path), true), "\n", CanonicalQuery(query), "\n",
      canonical_headers, "\n", absl::StrJoin(auth->signed_headers, ";"), "\n", payload_hash);
  auto date = request.headers.find("x-amz-date");
  if (date == request.headers.end()) return absl::InvalidArgumentError("no x-amz-date");
  const std::string scope =
      absl::StrCat(auth->date, "/", auth->region, "/", auth->service, "/aws4_request");
  const std::string string_to_sign = absl::StrCat("AWS4-HMAC-SHA256\n", date->second, "\n", scope,
                                                  "\n", Sha256HexForTest(canonical_request));
  std::string key = Hmac(absl::StrCat("AWS4", secret), auth->date);
  key = Hmac(key, auth->region);
  key = Hmac(key, auth->service);
  key = Hmac(key, "aws4_request");
  const std::string signature = Hmac(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

absl::Status VerifySignature(const CapturedRequest& request, const std::string& access_key_id,
                             const std::string& secret, const std::string& region) {
  absl::StatusOr<Authorization> auth = ParseAuthorization(request);
  if (!auth.ok()) return auth.status();
  if (auth->access_key_id != access_key_id || auth->region != region || auth->service != "s3") {
    return absl::InvalidArgumentError("wrong key id, region or service in the credential scope");
  }
  std::vector<std::string> required = {"host", "x-amz-content-sha256", "x-amz-date"};
  if (request.headers.count("x-amz-security-token")) required.push_back("x-amz-security-token");
  for (const std::string& name : required) {
    if (std::find(auth->signed_headers.begin(), auth->signed_headers.end(), name) ==
        auth->signed_headers.end()) {
      return absl::InvalidArgumentError(absl::StrCat("'", name, "' is not signed"));
    }
  }
  auto hash = request.headers.find("x-amz-content-sha256");
  if (hash->second != Sha256HexForTest(request.body)) {
    return absl::InvalidArgumentError("x-amz-content-sha256 is not the hash of the body");
  }
  absl::StatusOr<std::string> expected = ExpectedSignature(request, secret);
  if (!expected.ok()) return expected.status();
  if (*expected != auth->signature) {
    return absl::UnauthenticatedError(absl::StrCat("SignatureDoesNotMatch for ", request.method,
                                                   " ", request.target));
  }
  return absl::OkStatus();
}

}  // namespace recplat::s3::test
