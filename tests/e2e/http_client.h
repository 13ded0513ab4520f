// File: http_client.h
//
// A small blocking HTTP/1.1 client for end-to-end tests (Boost.Beast): one keep-alive
// connection to "host:port", reconnecting when the server closed it.
#pragma once

#include <string>
#include <utility>

#include "boost/asio/connect.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace recplat::testing {

struct HttpResult {
  int status = 0;  // 0 when the request could not be sent or answered.
  std::string body;
  std::string content_type;
};

class HttpClient {
 public:
  explicit HttpClient(std::string address) : address_(std::move(address)) {}

  HttpResult Get(const std::string& target) { return Send(boost::beast::http::verb::get, target, ""); }
  HttpResult Post(const std::string& target, const std::string& body) {
    return Send(boost::beast::http::verb::post, target, body);
  }

  HttpResult Send(boost::beast::http::verb verb, const std::string& target,
                  const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      HttpResult r = TrySend(verb, target, body);
      if (r.status != 0) return r;
      stream_.reset();
    }
    return {};
  }

 private:
  HttpResult TrySend(boost::beast::http::verb verb, const std::string& target,
                     const std::string& body) {
    namespace http = boost::beast::http;
    boost::beast::error_code ec;
    if (stream_ == nullptr) {
      const size_t colon = address_.rfind(':');
      boost::asio::ip::tcp::resolver resolver(io_);
      auto results =
          resolver.resolve(address_.substr(0, colon), address_.substr(colon + 1), ec);
      if (ec) return {};
      stream_ = std::make_unique<boost::beast::tcp_stream>(io_);
      stream_->connect(results, ec);
      if (ec) return {};
    }
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, address_);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    http::write(*stream_, req, ec);
    if (ec) return {};
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    http::read(*stream_, buffer, parser, ec);
    if (ec) return {};
    auto res = parser.release();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    if (!res.keep_alive()) stream_.reset();
    return out;
  }

  std::string address_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
};

}  // namespace recplat::testing
