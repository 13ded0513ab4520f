#include "core/common/stomp/internal/stomp_connection.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/ssl/host_name_verification.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "openssl/err.h"
#include "openssl/ssl.h"

namespace recplat::stomp::internal {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

bool IsIpLiteral(const std::string& host) {
  ErrorCode ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ssl::context>> MakeClientContext(const common::ClientTls& tls) {
  if (absl::Status s = common::CheckClientTls(tls); !s.ok()) return s;
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    if (!tls.enabled) return ctx;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx->set_verify_mode(ssl::verify_peer);
    if (tls.ca_pem.empty()) {
      ctx->set_default_verify_paths();
    } else {
      ctx->add_certificate_authority(asio::buffer(tls.ca_pem));
    }
    if (!tls.cert_chain_pem.empty()) {
      ctx->use_certificate_chain(asio::buffer(tls.cert_chain_pem));
      ctx->use_private_key(asio::buffer(tls.private_key_pem), ssl::context::pem);
    }
    return ctx;
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("stomp: bad TLS material: ", e.what()));
  }
}

asio::awaitable<absl::Status> Connection::Connect(const std::string& host, uint16_t port,
                                                  const std::string& server_name) {
  ErrorCode ec;
  tcp::resolver resolver(stream.get_executor());
  auto results = co_await resolver.async_resolve(host, std::to_string(port),
                                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return absl::UnavailableError(absl::StrCat("resolve ", host, ": ", ec.message()));
  if (closed) co_return absl::UnavailableError("connect: timed out");
  co_await asio::async_connect(stream.next_layer(), results,
                               asio::redirect_error(asio::use_awaitable, ec));
  if (ec || closed) {
    co_return absl::UnavailableError(
        absl::StrCat("connect to ", host, ":", port, ": ", closed ? "timed out" : ec.message()));
  }
  stream.next_layer().set_option(tcp::no_delay(true), ec);
  if (!tls) co_return absl::OkStatus();
  if (!IsIpLiteral(server_name) &&
      !SSL_set_tlsext_host_name(stream.native_handle(), server_name.c_str())) {
    co_return absl::UnavailableError("TLS: cannot set the server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(server_name), ec);
  if (ec) co_return absl::UnavailableError(absl::StrCat("TLS: ", ec.message()));
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return absl::UnavailableError(absl::StrCat("TLS handshake: ", ec.message()));
  co_return absl::OkStatus();
}

asio::awaitable<size_t> Connection::Write(const std::string& bytes, ErrorCode& ec) {
  if (tls) {
    co_return co_await asio::async_write(stream, asio::buffer(bytes),
                                         asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return co_await asio::async_write(stream.next_layer(), asio::buffer(bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<size_t> Connection::ReadSome(asio::mutable_buffer buffer, ErrorCode& ec) {
  if (tls) {
    co_return co_await stream.async_read_some(buffer,
                                              asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return co_await stream.next_layer().async_read_some(
      buffer, asio::redirect_error(asio::use_awaitable, ec));
}

void Connection::Close() {
  if (closed) return;
  closed = true;
  ErrorCode ignored;
  stream.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream.next_layer().close(ignored);
  wake.cancel();
}

}  // namespace recplat::stomp::internal
