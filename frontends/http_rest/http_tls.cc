// The TLS half of HttpServer: the asio::ssl::context of a listener and its connections
// (Connection<asio::ssl::stream<tcp::socket>>). The only file of the module that includes the
// OpenSSL headers (through boost/asio/ssl.hpp), so the rest compiles without them.
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/ssl.hpp"
#include "core/common/status_macros.h"
#include "frontends/http_rest/internal/http_connection.h"

namespace recplat::http::internal {

namespace ssl = net::ssl;
using TlsStream = ssl::stream<tcp::socket>;

struct TlsContext {
  ssl::context ssl{ssl::context::tls_server};
};

void TlsContextDeleter::operator()(TlsContext* context) const { delete context; }

template <>
struct StreamOps<TlsStream> {
  static constexpr bool kTls = true;

  template <typename Handler>
  static void AsyncHandshake(TlsStream& stream, Handler&& handler) {
    stream.async_handshake(ssl::stream_base::server, std::forward<Handler>(handler));
  }
  template <typename Handler>
  static void AsyncShutdown(TlsStream& stream, Handler&& handler) {
    stream.async_shutdown(std::forward<Handler>(handler));
  }
};

absl::StatusOr<TlsContextPtr> MakeTlsContext(const common::ServerTls& tls) {
  RECPLAT_RETURN_IF_ERROR(common::CheckServerTls(tls));
  TlsContextPtr context(new TlsContext);
  ssl::context& ctx = context->ssl;
  const auto fail = [](absl::string_view what, const boost::system::error_code& ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("http server: TLS: cannot load the ", what, ": ", ec.message()));
  };
  boost::system::error_code ec;
  // TLS 1.2 and 1.3 only; no compression (CRIME), no renegotiation by the client.
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::no_compression,
                  ec);
  if (ec) return fail("options", ec);
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
  if (ctx.use_certificate_chain(net::buffer(tls.cert_chain_pem), ec)) {
    return fail("certificate chain", ec);
  }
  if (ctx.use_private_key(net::buffer(tls.private_key_pem), ssl::context::pem, ec)) {
    return fail("private key", ec);
  }
  if (tls.require_client_cert()) {
    // Adds the CAs to the store client certificates are verified against.
    if (ctx.add_certificate_authority(net::buffer(tls.client_ca_pem), ec)) {
      return fail("client CA", ec);
    }
    ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return fail("client verification mode", ec);
  }
  return context;
}

void StartTlsConnection(Server& server, TlsContext& context, tcp::socket socket) {
  std::make_shared<Connection<TlsStream>>(server, std::move(socket), context.ssl)->Start();
}

}  // namespace recplat::http::internal
