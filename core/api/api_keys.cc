#include "core/api/api_keys.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace recplat::api {
namespace {

struct MethodAccess {
  const char* method;
  Access access;
};

// Every Api method (api.h) and what it needs. Reads, writes and recommendations are user
// operations; what changes the serving models, deletes data, or reveals the deployment (its
// configuration, statistics, and the record of what was served to whom) is admin.
constexpr MethodAccess kMethods[] = {
    {"UpsertItems", Access::kUser},   {"DeleteItems", Access::kAdmin},
    {"GetItem", Access::kUser},       {"ListItems", Access::kUser},
    {"UpsertUsers", Access::kUser},   {"GetUser", Access::kUser},
    {"Write", Access::kUser},  // kAdmin when it deletes items: RequiredAccess(WriteRequest)
    {"AppendEvents", Access::kUser},  {"PutDocuments", Access::kUser},
    {"GetDocuments", Access::kUser},  {"ScanDocuments", Access::kUser},
    {"Recommend", Access::kUser},     {"SimilarItems", Access::kUser},
    {"ScanServed", Access::kAdmin},   {"ListModels", Access::kUser},
    {"Train", Access::kAdmin},        {"Promote", Access::kAdmin},
    {"GetStats", Access::kAdmin},     {"GetConfig", Access::kAdmin},
    {"EvaluateServed", Access::kUser}, {"ModelTrainingStats", Access::kUser},
};

// The Bearer token alphabet of RFC 6750 (b64token), without the trailing '=' padding.
bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}

bool IsValidKey(absl::string_view key) {
  if (key.size() < kMinApiKeyBytes || key.size() > kMaxApiKeyBytes) return false;
  size_t end = key.size();
  while (end > 0 && key[end - 1] == '=') --end;
  if (end == 0) return false;
  for (size_t i = 0; i < end; ++i) {
    if (!IsTokenChar(key[i])) return false;
  }
  return true;
}

// The token of "Bearer <token>" (scheme in any case, then one or more spaces), or false.
bool BearerToken(absl::string_view authorization, absl::string_view* token) {
  constexpr absl::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme) ||
      (authorization[kScheme.size()] != ' ' && authorization[kScheme.size()] != '\t')) {
    return false;
  }
  *token = absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
  return true;
}

}  // namespace

absl::string_view AccessName(Access access) {
  switch (access) {
    case Access::kOpen: return "open";
    case Access::kUser: return "user";
    case Access::kAdmin: return "admin";
  }
  return "admin";
}

Access RequiredAccess(absl::string_view method) {
  for (const MethodAccess& entry : kMethods) {
    if (method == entry.method) return entry.access;
  }
  return Access::kAdmin;
}

Access RequiredAccess(const v1::WriteRequest& request) {
  for (const v1::WriteOp& op : request.ops()) {
    if (op.has_delete_item()) return Access::kAdmin;
  }
  return Access::kUser;
}

absl::string_view AuthResultName(AuthResult result) {
  switch (result) {
    case AuthResult::kOk: return "ok";
    case AuthResult::kMissing: return "missing";
    case AuthResult::kInvalid: return "invalid";
    case AuthResult::kForbidden: return "forbidden";
  }
  return "invalid";
}

absl::Status AuthStatus(AuthResult result) {
  switch (result) {
    case AuthResult::kOk: return absl::OkStatus();
    case AuthResult::kMissing:
      return absl::UnauthenticatedError(
          "an API key is required: send it as 'Authorization: Bearer <key>'");
    case AuthResult::kInvalid: return absl::UnauthenticatedError("the API key is not valid");
    case AuthResult::kForbidden:
      return absl::PermissionDeniedError("this operation needs an admin API key");
  }
  return absl::UnauthenticatedError("the API key is not valid");
}

absl::StatusOr<ApiKeys> ApiKeys::Create(const std::vector<std::string>& user_keys,
                                        const std::vector<std::string>& admin_keys) {
  ApiKeys keys;
  const auto add = [&keys](const std::vector<std::string>& list, bool admin,
                           absl::string_view level) -> absl::Status {
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string& key = list[i];
      if (!IsValidKey(key)) {
        return absl::InvalidArgumentError(absl::StrCat(
            level, " key #", i + 1, ": expected ", kMinApiKeyBytes, " to ", kMaxApiKeyBytes,
            " characters of A-Z a-z 0-9 - . _ ~ + / (then '=' padding)"));
      }
      bool duplicate = false;
      for (const Key& existing : keys.keys_) {
        if (absl::string_view(reinterpret_cast<const char*>(existing.bytes.data()),
                              existing.size) != key) {
          continue;
        }
        if (existing.admin != admin) {
          return absl::InvalidArgumentError(
              absl::StrCat(level, " key #", i + 1, " is also a ",
                           admin ? "user" : "admin", " key: give each level its own keys"));
        }
        duplicate = true;
      }
      if (duplicate) continue;
      Key entry;
      std::memcpy(entry.bytes.data(), key.data(), key.size());
      entry.size = static_cast<uint16_t>(key.size());
      entry.admin = admin;
      keys.keys_.push_back(entry);
    }
    return absl::OkStatus();
  };
  if (absl::Status s = add(user_keys, false, "user"); !s.ok()) return s;
  keys.user_count_ = keys.keys_.size();
  if (absl::Status s = add(admin_keys, true, "admin"); !s.ok()) return s;
  return keys;
}

AuthResult ApiKeys::Check(absl::string_view authorization, Access required) const {
  if (required == Access::kOpen) return AuthResult::kOk;
  const bool admin_enforced = required == Access::kAdmin && admin_key_count() > 0;
  if (!admin_enforced && user_count_ == 0) return AuthResult::kOk;  // the level is open
  absl::string_view token;
  if (!BearerToken(authorization, &token)) return AuthResult::kMissing;
  if (token.empty() || token.size() > kMaxApiKeyBytes) return AuthResult::kInvalid;
  // Zero-padded like the stored keys; every key is compared over all kMaxApiKeyBytes bytes
  // and its size, and no comparison stops early, so the time depends only on keys_.size().
  std::array<unsigned char, kMaxApiKeyBytes> presented{};
  std::memcpy(presented.data(), token.data(), token.size());
  const uint32_t size = static_cast<uint32_t>(token.size());
  unsigned matched_user = 0;
  unsigned matched_admin = 0;
  for (const Key& key : keys_) {
    uint32_t diff = key.size ^ size;
    for (size_t i = 0; i < kMaxApiKeyBytes; ++i) diff |= key.bytes[i] ^ presented[i];
    const unsigned equal = static_cast<unsigned>(diff == 0);
    matched_admin |= equal & static_cast<unsigned>(key.admin);
    matched_user |= equal & static_cast<unsigned>(!key.admin);
  }
  if ((matched_user | matched_admin) == 0) return AuthResult::kInvalid;
  if (admin_enforced && matched_admin == 0) return AuthResult::kForbidden;
  return AuthResult::kOk;
}

absl::StatusOr<std::vector<std::string>> ParseApiKeys(absl::string_view text) {
  std::vector<std::string> keys;
  size_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    for (absl::string_view key : absl::StrSplit(line, ',')) {
      key = absl::StripAsciiWhitespace(key);
      if (key.empty()) continue;
      if (!IsValidKey(key)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line_no, ": not a valid key (expected ", kMinApiKeyBytes, " to ",
            kMaxApiKeyBytes, " characters of A-Z a-z 0-9 - . _ ~ + / then optional '=')"));
      }
      keys.emplace_back(key);
    }
  }
  return keys;
}

absl::StatusOr<std::vector<std::string>> ReadApiKeys(const ApiKeySource& source) {
  std::vector<std::string> keys;
  if (!source.file.empty()) {
    std::ifstream in(source.file, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat(source.file_key, ": cannot read '",
                                                     source.file, "': ", std::strerror(errno)));
    }
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source.file_key, ": cannot read '", source.file, "'"));
    }
    absl::StatusOr<std::vector<std::string>> parsed = ParseApiKeys(text.str());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source.file_key, ": '", source.file, "' ",
                                                     parsed.status().message()));
    }
    if (parsed->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source.file_key, ": '", source.file, "' holds no key"));
    }
    keys = *std::move(parsed);
  }
  if (!source.env.empty()) {
    const char* value = std::getenv(source.env.c_str());
    if (value == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          source.env_key, ": the environment variable '", source.env, "' is not set"));
    }
    absl::StatusOr<std::vector<std::string>> parsed = ParseApiKeys(value);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source.env_key, ": variable '", source.env,
                                                     "' ", parsed.status().message()));
    }
    if (parsed->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source.env_key, ": the variable '", source.env, "' holds no key"));
    }
    keys.insert(keys.end(), parsed->begin(), parsed->end());
  }
  return keys;
}

}  // namespace recplat::api
