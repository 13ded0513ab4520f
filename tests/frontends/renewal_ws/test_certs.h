// File: test_certs.h
//
// Self-signed certificates for the TLS tests, generated with OpenSSL at run time (nothing
// secret is committed): a P-256 key and a CA:TRUE certificate naming the given subject
// alternative names, valid from a minute ago for one day.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace recplat::renewal_ws::renewal_test {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

// `subject_alt_names` in OpenSSL's config syntax, e.g. "IP:127.0.0.1,DNS:localhost".
absl::StatusOr<TestCert> MakeSelfSignedCert(const std::string& common_name,
                                            const std::string& subject_alt_names);

}  // namespace recplat::renewal_ws::renewal_test
