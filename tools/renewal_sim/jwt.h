// File: jwt.h
//
// HS256 JSON Web Tokens for the Renewal backend simulator (seed-systems.md §1.5: the real
// backend signs RS256 with a Google key that cannot be reproduced, so the simulator uses a
// configurable shared secret). Compact serialization: base64url(header).base64url(claims).
// base64url(HMAC-SHA256(secret, header.claims)), no padding.
//
// Thread safety: all functions are pure and may be called concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim {

// Signs `claims` (a JSON object) with header {"alg":"HS256","typ":"JWT"}.
std::string SignHs256(const nlohmann::json& claims, absl::string_view secret);

// A token for recsystem `sub`: claims sub, iat = now, exp = now + ttl, renewal_role
// "recsystem" and user_id = sub (the 2020 backend's recsystem claims).
std::string RecsystemToken(absl::string_view sub, absl::string_view secret, absl::Time now,
                           absl::Duration ttl = absl::Hours(24));

// Verifies a compact HS256 token: three segments, header alg HS256, a valid signature
// (constant-time comparison), claims an object with a string `sub`, and, when present, `exp`
// not before `now` and `iat` not after now + 60 s. Returns the claims. UNAUTHENTICATED on any
// defect (the message names the defect, never the token).
absl::StatusOr<nlohmann::json> VerifyHs256(absl::string_view token, absl::string_view secret,
                                           absl::Time now);

}  // namespace recplat::renewal_sim
