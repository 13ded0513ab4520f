#include "core/common/tls.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"

namespace recplat::common {
namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using X509Ptr = std::unique_ptr<X509, Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;

// OpenSSL's last error, or "", and an empty error queue (it is per thread).
std::string TakeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return absl::StrCat(" (openssl: ", text, ")");
}

// Never asks for a passphrase: OpenSSL's default would read one from the terminal.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::unique_ptr<BIO, Free> MemBio(const std::string& pem) {
  return std::unique_ptr<BIO, Free>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate of `pem` (at least one), or INVALID_ARGUMENT naming `what`.
absl::Status ReadCerts(const std::string& pem, absl::string_view what, std::vector<X509Ptr>* out) {
  auto bio = MemBio(pem);
  if (bio == nullptr) return absl::InternalError("openssl: cannot allocate a buffer");
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (cert == nullptr) break;
    out->push_back(std::move(cert));
  }
  // The loop ends at the end of the text (PEM_R_NO_START_LINE) or at a block that does not
  // parse.
  const unsigned long last = ERR_peek_last_error();
  const bool at_end =
      ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (out->empty() || (last != 0 && !at_end)) {
    const absl::string_view problem =
        out->empty() ? "no PEM certificate found" : "a certificate does not parse";
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", problem, TakeOpenSslError()));
  }
  ERR_clear_error();
  return absl::OkStatus();
}

absl::StatusOr<KeyPtr> ReadKey(const std::string& pem, absl::string_view what) {
  if (absl::StrContains(pem, "ENCRYPTED")) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": the private key is encrypted; recplat needs an unencrypted PEM key"));
  }
  auto bio = MemBio(pem);
  if (bio == nullptr) return absl::InternalError("openssl: cannot allocate a buffer");
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": no PEM private key found", TakeOpenSslError()));
  }
  return key;
}

// A certificate chain and its key.
absl::Status CheckPair(const std::string& cert_pem, const std::string& key_pem,
                       absl::string_view cert_what, absl::string_view key_what) {
  std::vector<X509Ptr> chain;
  if (absl::Status s = ReadCerts(cert_pem, cert_what, &chain); !s.ok()) return s;
  absl::StatusOr<KeyPtr> key = ReadKey(key_pem, key_what);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(chain.front().get(), key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("the ", key_what, " does not match the ", cert_what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckServerTls(const ServerTls& tls) {
  if (!tls.enabled()) {
    if (!tls.private_key_pem.empty() || !tls.client_ca_pem.empty()) {
      return absl::InvalidArgumentError("a TLS key or client CA is set without a certificate");
    }
    return absl::OkStatus();
  }
  if (tls.private_key_pem.empty()) {
    return absl::InvalidArgumentError("a TLS certificate is set without its private key");
  }
  if (absl::Status s = CheckPair(tls.cert_chain_pem, tls.private_key_pem, "certificate",
                                 "private key");
      !s.ok()) {
    return s;
  }
  if (tls.require_client_cert()) {
    std::vector<X509Ptr> cas;
    return ReadCerts(tls.client_ca_pem, "client CA", &cas);
  }
  return absl::OkStatus();
}

absl::Status CheckClientTls(const ClientTls& tls) {
  if (!tls.enabled) return absl::OkStatus();
  if (!tls.ca_pem.empty()) {
    std::vector<X509Ptr> cas;
    if (absl::Status s = ReadCerts(tls.ca_pem, "CA", &cas); !s.ok()) return s;
  }
  if (tls.cert_chain_pem.empty() != tls.private_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate and its private key must be given together");
  }
  if (tls.cert_chain_pem.empty()) return absl::OkStatus();
  return CheckPair(tls.cert_chain_pem, tls.private_key_pem, "client certificate",
                   "client private key");
}

}  // namespace recplat::common
