// File: test_pki.h
//
// A throwaway public-key infrastructure for the TLS tests, generated with OpenSSL at run time
// (nothing secret is committed): a CA, a server certificate it signed for 127.0.0.1 and
// localhost, a client certificate it signed, and a client certificate signed by another CA
// (which a server trusting only the first must refuse). P-256 keys, valid from a minute ago
// for one day.
//
// Target recplat::test_pki (links OpenSSL); separate from recplat::testing so that tests
// without TLS do not link it.
#pragma once

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace recplat::testing {

struct PemPair {
  std::string cert_pem;
  std::string key_pem;
};

struct TestPki {
  // The CA's certificate.
  std::string ca_pem;
  // Signed by the CA: SAN IP:127.0.0.1, DNS:localhost; serverAuth.
  PemPair server;
  // Signed by the CA: CN recplat-test-client; clientAuth.
  PemPair client;
  // Signed by another CA: refused by a server that trusts `ca_pem` only.
  PemPair stranger;

  // Writes every PEM into `dir`: ca.pem, server.pem, server.key, client.pem, client.key,
  // stranger.pem, stranger.key. False when a file cannot be written.
  bool WriteTo(const std::filesystem::path& dir) const;
};

absl::StatusOr<TestPki> MakeTestPki();

// Writes `text` to `path` (replacing it). False on failure.
bool WriteTextFile(const std::filesystem::path& path, const std::string& text);

}  // namespace recplat::testing
