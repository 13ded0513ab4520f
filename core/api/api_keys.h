// File: api_keys.h
//
// Access control of the internal API: which operations need which key, and the check every
// transport makes (the HTTP router, the gRPC server). It is not authentication of users of a
// profile (a Renewal token, a shop's session): only "may this caller use this operation".
//
// Two levels of keys, both optional, several keys per level (for rotation):
//   - user keys:  reads, writes and recommendations (RequiredAccess gives kUser);
//   - admin keys: operations that change which models serve, delete data, or reveal the
//     deployment (kAdmin: Train, Promote, DeleteItems, a Write that deletes items,
//     ScanServed, GetStats, GetConfig). An admin key is also accepted wherever a user key is.
// A level without keys is not enforced: with no user key, user operations are open; with no
// admin key, admin operations need what user operations need. So with no key at all
// everything is open, as before keys existed.
//
// A caller presents a key as "Bearer <key>" (the HTTP Authorization header, the gRPC
// `authorization` metadata). Check() answers kMissing (no Bearer credentials), kInvalid (a key
// that is not configured) or kForbidden (a user key on an admin operation); AuthStatus() turns
// that into UNAUTHENTICATED / PERMISSION_DENIED, which the status-mapping table maps to HTTP
// 401 / 403 and the gRPC codes of the same name.
//
// Keys are compared in constant time: the time of Check() depends on the number of keys
// configured, not on their content or length nor on what the caller sent. Keys never appear
// in messages or logs.
//
// Thread-safety: an ApiKeys is immutable after Create(); Check() is thread-safe and allocates
// nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recplat/v1/write.pb.h"

namespace recplat::api {

// What an operation needs.
enum class Access : uint8_t {
  kOpen,   // nothing (health probes, wire-compatible profile routes by default)
  kUser,   // a user or an admin key, when user keys are configured
  kAdmin,  // an admin key, when admin keys are configured
};

// "open", "user", "admin".
absl::string_view AccessName(Access access);

// The access the Api method `method` (its name in api.h, e.g. "Recommend", "Train") needs. An
// unknown name needs kAdmin (fail closed). docs/operations.md, "Access control and TLS", has
// the table.
Access RequiredAccess(absl::string_view method);

// The access a Write needs: kAdmin when one of its ops deletes an item (as DeleteItems does),
// else kUser. Shop entity deletes are catalog upkeep of the shop sync and stay kUser.
Access RequiredAccess(const v1::WriteRequest& request);

// The outcome of a check.
enum class AuthResult : uint8_t {
  kOk,
  kMissing,    // no "Bearer <key>" credentials
  kInvalid,    // a key that is not configured
  kForbidden,  // a valid user key on an admin operation
};

// "ok", "missing", "invalid", "forbidden" (the `reason` label of recplat_auth_failures_total).
absl::string_view AuthResultName(AuthResult result);

// OK, or the status a refused call answers: UNAUTHENTICATED for kMissing and kInvalid,
// PERMISSION_DENIED for kForbidden. The message names no key.
absl::Status AuthStatus(AuthResult result);

// Longest key accepted, bytes.
inline constexpr size_t kMaxApiKeyBytes = 256;
// Shortest key accepted, bytes: shorter ones are guessable.
inline constexpr size_t kMinApiKeyBytes = 16;

class ApiKeys {
 public:
  // No keys: every operation is open.
  ApiKeys() = default;

  // INVALID_ARGUMENT when a key is not a valid key (see ParseApiKeys) or is both a user and an
  // admin key. Duplicates within one level are kept once.
  static absl::StatusOr<ApiKeys> Create(const std::vector<std::string>& user_keys,
                                        const std::vector<std::string>& admin_keys);

  // Whether any key is configured (otherwise Check() always answers kOk).
  bool enabled() const { return !keys_.empty(); }
  size_t user_key_count() const { return user_count_; }
  size_t admin_key_count() const { return keys_.size() - user_count_; }

  // Checks `authorization` (the Authorization header's or metadata's value; empty when the
  // request has none) against what `required` needs. The scheme "Bearer" is matched without
  // regard to case and may be followed by several spaces.
  AuthResult Check(absl::string_view authorization, Access required) const;

 private:
  struct Key {
    // Zero-padded to the full size, so every comparison reads the same number of bytes.
    std::array<unsigned char, kMaxApiKeyBytes> bytes{};
    uint16_t size = 0;
    bool admin = false;
  };
  // User keys first, then admin keys.
  std::vector<Key> keys_;
  size_t user_count_ = 0;
};

// The keys in `text`: one per line (a comma also separates keys), surrounding spaces and tabs
// trimmed, empty lines and lines starting with '#' skipped. A key is kMinApiKeyBytes to
// kMaxApiKeyBytes characters of the Bearer token alphabet (A-Z a-z 0-9 - . _ ~ + /, then
// optional '=' padding). INVALID_ARGUMENT names the line, never the key. Empty when `text`
// holds no key.
absl::StatusOr<std::vector<std::string>> ParseApiKeys(absl::string_view text);

// Where the keys of one level come from: a file and/or an environment variable (either may be
// empty), with the configuration keys that named them for error messages.
struct ApiKeySource {
  std::string file;
  std::string env;
  std::string file_key;  // e.g. "auth.api_key_file"
  std::string env_key;   // e.g. "auth.api_key_env"
};

// Reads and parses the keys of `source` (the file's and the variable's, together). Errors are
// INVALID_ARGUMENT naming the configuration key: a file that cannot be read, a variable that
// is not set, a file or variable that holds no key, a malformed key.
absl::StatusOr<std::vector<std::string>> ReadApiKeys(const ApiKeySource& source);

}  // namespace recplat::api
