// File: sigv4_verifier.h
//
// An AWS Signature Version 4 verifier written from AWS's description of the algorithm,
// independently of libcurl's signer, for checking what the S3 client sends: the canonical
// request is rebuilt from the request as received (path and query decoded and re-encoded the
// way S3 does), so a client that encodes a key or a query differently from S3 fails here as it
// would against the real service.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/core/common/s3/capture_server.h"

namespace recplat::s3::test {

// The signature S3 would compute for `request` (its Authorization header names the signed
// headers and the scope), hex.
absl::StatusOr<std::string> ExpectedSignature(const CapturedRequest& request,
                                              const std::string& secret);

// OK when the request carries a SigV4 Authorization for `access_key_id` in `region`/s3 whose
// signature matches, signs host, x-amz-date and x-amz-content-sha256 (and the security token
// when sent), and whose x-amz-content-sha256 is the SHA-256 of the body received.
absl::Status VerifySignature(const CapturedRequest& request, const std::string& access_key_id,
                             const std::string& secret, const std::string& region);

std::string Sha256HexForTest(const std::string& data);

}  // namespace recplat::s3::test
