#include "tests/testing/test_pki.h"

#include <fstream>
#include <initializer_list>
#include <memory>
#include <utility>

#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace recplat::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;

struct Issued {
  KeyPtr key;
  CertPtr cert;
};

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, const_cast<char*>(value)));
  return ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1;
}

// A certificate for `common_name` with `extensions` (nid, value), signed by `issuer` (itself
// when null).
absl::StatusOr<Issued> Issue(const char* common_name, const Issued* issuer, long serial,
                             std::initializer_list<std::pair<int, const char*>> extensions) {
  Issued out;
  out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  out.cert.reset(X509_new());
  if (out.key == nullptr || out.cert == nullptr) {
    return absl::InternalError("openssl: allocation failed");
  }
  X509* cert = out.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* issuer_cert = issuer == nullptr ? cert : issuer->cert.get();
  X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert));
  for (const auto& [nid, value] : extensions) {
    if (!AddExtension(cert, issuer_cert, nid, value)) {
      return absl::InternalError("openssl: cannot add an extension");
    }
  }
  EVP_PKEY* signer = issuer == nullptr ? out.key.get() : issuer->key.get();
  if (X509_sign(cert, signer, EVP_sha256()) == 0) return absl::InternalError("openssl: sign");
  return out;
}

absl::StatusOr<Issued> Ca(const char* name, long serial) {
  return Issue(name, nullptr, serial,
               {{NID_basic_constraints, "critical,CA:TRUE"},
                {NID_key_usage, "critical,keyCertSign,cRLSign"},
                {NID_subject_key_identifier, "hash"}});
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<std::string> CertPem(const Issued& issued) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(bio.get(), issued.cert.get()) != 1) {
    return absl::InternalError("openssl: cannot write a certificate");
  }
  return BioText(bio.get());
}

absl::StatusOr<PemPair> Pair(const Issued& issued) {
  PemPair pair;
  absl::StatusOr<std::string> cert = CertPem(issued);
  if (!cert.ok()) return cert.status();
  pair.cert_pem = *cert;
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), issued.key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return absl::InternalError("openssl: cannot write a key");
  }
  pair.key_pem = BioText(bio.get());
  return pair;
}

}  // namespace

absl::StatusOr<TestPki> MakeTestPki() {
  absl::StatusOr<Issued> ca = Ca("recplat test CA", 1);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<Issued> other_ca = Ca("another test CA", 2);
  if (!other_ca.ok()) return other_ca.status();
  absl::StatusOr<Issued> server =
      Issue("localhost", &*ca, 3,
            {{NID_basic_constraints, "critical,CA:FALSE"},
             {NID_key_usage, "critical,digitalSignature"},
             {NID_ext_key_usage, "serverAuth"},
             {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
             {NID_authority_key_identifier, "keyid:always"}});
  if (!server.ok()) return server.status();
  const std::initializer_list<std::pair<int, const char*>> client_ext = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "clientAuth"},
      {NID_authority_key_identifier, "keyid:always"}};
  absl::StatusOr<Issued> client = Issue("recplat-test-client", &*ca, 4, client_ext);
  if (!client.ok()) return client.status();
  absl::StatusOr<Issued> stranger = Issue("stranger", &*other_ca, 5, client_ext);
  if (!stranger.ok()) return stranger.status();

  TestPki pki;
  absl::StatusOr<std::string> ca_pem = CertPem(*ca);
  absl::StatusOr<PemPair> server_pair = Pair(*server);
  absl::StatusOr<PemPair> client_pair = Pair(*client);
  absl::StatusOr<PemPair> stranger_pair = Pair(*stranger);
  for (const absl::Status& s : {ca_pem.status(), server_pair.status(), client_pair.status(),
                                stranger_pair.status()}) {
    if (!s.ok()) return s;
  }
  pki.ca_pem = *ca_pem;
  pki.server = *server_pair;
  pki.client = *client_pair;
  pki.stranger = *stranger_pair;
  return pki;
}

bool WriteTextFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return out.good();
}

bool TestPki::WriteTo(const std::filesystem::path& dir) const {
  return WriteTextFile(dir / "ca.pem", ca_pem) &&
         WriteTextFile(dir / "server.pem", server.cert_pem) &&
         WriteTextFile(dir / "server.key", server.key_pem) &&
         WriteTextFile(dir / "client.pem", client.cert_pem) &&
         WriteTextFile(dir / "client.key", client.key_pem) &&
         WriteTextFile(dir / "stranger.pem", stranger.cert_pem) &&
         WriteTextFile(dir / "stranger.key", stranger.key_pem);
}

}  // namespace recplat::testing
