// File: tls.h
//
// TLS material of a server listener (HTTP, gRPC) or of a client (the gRPC Api client), as PEM
// text, and the checks that make a bad certificate or key fail start-up with a message that
// says what is wrong instead of a handshake failure later. The files are read by the process
// wiring (apps/recplat); the transports take the PEM text. OpenSSL is used in tls.cc only.
//
// Thread-safety: plain values; the checks are thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace recplat::common {

// A listener's TLS: on when `cert_chain_pem` is set.
struct ServerTls {
  // The server's certificate, then the intermediates (PEM).
  std::string cert_chain_pem;
  // Its private key (PEM, unencrypted).
  std::string private_key_pem;
  // When set, clients must present a certificate that chains to one of these CAs (mutual TLS);
  // a client without one is refused during the handshake.
  std::string client_ca_pem;

  bool enabled() const { return !cert_chain_pem.empty(); }
  bool require_client_cert() const { return !client_ca_pem.empty(); }
};

// A client's TLS towards a server.
struct ClientTls {
  bool enabled = false;
  // CAs trusted for the server's certificate (PEM); empty: the system's roots.
  std::string ca_pem;
  // The client certificate chain and key, for servers that require one (both or neither).
  std::string cert_chain_pem;
  std::string private_key_pem;
  // The name checked against the server's certificate instead of the address's host (e.g. the
  // DNS name in the certificate when connecting by IP); empty: the host.
  std::string server_name;
};

// OK when `tls` is off, or when its certificate chain parses, the key parses (an encrypted key
// is refused: nothing could type its passphrase), the key belongs to the first certificate,
// and the client CAs (if any) parse. INVALID_ARGUMENT otherwise, saying which part is wrong
// (e.g. "the private key does not match the certificate"); the text names no key material.
absl::Status CheckServerTls(const ServerTls& tls);

// The same checks for a client: the CAs (if any) parse; a certificate and a key come together,
// parse and match.
absl::Status CheckClientTls(const ClientTls& tls);

}  // namespace recplat::common
