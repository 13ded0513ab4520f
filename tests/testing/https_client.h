// File: https_client.h
//
// Blocking HTTP clients for the TLS tests (Boost.Beast over Boost.Asio's OpenSSL layer): an
// HTTPS client on one keep-alive connection to 127.0.0.1, with an optional client certificate,
// and a one-shot plaintext GET. Every operation is bounded by a 5 s socket timeout.
// Header-only; users link OpenSSL::SSL.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "tests/testing/test_pki.h"

namespace recplat::testing {

struct Answer {
  int status = 0;  // 0: no answer (handshake refused, connection closed)
  std::string body;
  std::string www_authenticate;
  bool keep_alive = false;
};

class HttpsClient {
 public:
  using Verb = boost::beast::http::verb;

  // Connects to 127.0.0.1:`port` and shakes hands, trusting `ca_pem` for the server (whose
  // certificate must name 127.0.0.1). `client` (may be null) is the certificate presented.
  HttpsClient(int port, const std::string& ca_pem, const PemPair* client)
      : ctx_(boost::asio::ssl::context::tls_client) {
    namespace ssl = boost::asio::ssl;
    boost::system::error_code ec;
    ctx_.add_certificate_authority(boost::asio::buffer(ca_pem), ec);
    ctx_.set_verify_mode(ssl::verify_peer);
    if (client != nullptr) {
      ctx_.use_certificate_chain(boost::asio::buffer(client->cert_pem), ec);
      ctx_.use_private_key(boost::asio::buffer(client->key_pem), ssl::context::pem, ec);
    }
    stream_ = std::make_unique<Stream>(io_, ctx_);
    auto& tcp = boost::beast::get_lowest_layer(*stream_);
    tcp.expires_after(std::chrono::seconds(5));
    tcp.connect(Loopback(port), ec);
    if (ec) return;
    stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    stream_->handshake(ssl::stream_base::client, ec);
    handshake_ok_ = !ec;
  }

  bool handshake_ok() const { return handshake_ok_; }

  // One request on the connection (`authorization` is the whole header value); status 0 when
  // there is no answer.
  Answer Send(Verb verb, const std::string& target, const std::string& authorization = "",
              bool close = false, const std::string& body = "") {
    namespace http = boost::beast::http;
    Answer answer;
    if (!handshake_ok_) return answer;
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.keep_alive(!close);
    req.prepare_payload();
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(5));
    http::write(*stream_, req, ec);
    if (ec) return answer;
    http::response<http::string_body> res;
    http::read(*stream_, buffer_, res, ec);
    if (ec) return answer;
    answer.status = static_cast<int>(res.result_int());
    answer.body = res.body();
    answer.www_authenticate = std::string(res[http::field::www_authenticate]);
    answer.keep_alive = res.keep_alive();
    return answer;
  }

  // After a `Connection: close` answer: true when the server's close_notify arrives (a clean
  // TLS shutdown, not a truncation).
  bool ShutdownCleanly() {
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(5));
    stream_->shutdown(ec);
    return !ec || ec == boost::asio::error::eof;
  }

  static boost::asio::ip::tcp::endpoint Loopback(int port) {
    return boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                          static_cast<uint16_t>(port));
  }

 private:
  using Stream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<Stream> stream_;
  boost::beast::flat_buffer buffer_;
  bool handshake_ok_ = false;
};

// A plaintext HTTP GET to 127.0.0.1:`port`: the status, or 0 when there is no HTTP answer (e.g.
// a TLS listener).
inline int PlainGet(int port, const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  boost::beast::error_code ec;
  stream.connect(HttpsClient::Loopback(port), ec);
  if (ec) return 0;
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req, ec);
  if (ec) return 0;
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  return ec ? 0 : static_cast<int>(res.result_int());
}

}  // namespace recplat::testing
