// The ceiling of HTTP benchmarks: a bare Boost.Beast server with no routing, no JSON and no
// core, answering every request with a fixed JSON body (by default the size of a 10-item
// /predict answer), keep-alive, on `--threads` I/O threads. bench/ecoseller_load.sh runs wrk
// against it with the same script and load as against recplat, so every recplat figure is
// stated as a share of what Beast alone serves on the same machine in the same run.
//
//   build/bench/bare_http_echo --listen 127.0.0.1:0 --threads 2 [--body-bytes 1200]
// Prints "listening on HOST:PORT" and serves until SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/signal_set.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const std::string> body)
      : stream_(std::move(socket)), body_(std::move(body)) {}

  void Start() { Read(); }

 private:
  void Read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Write();
                     });
  }

  void Write() {
    response_ = {};
    response_.result(http::status::ok);
    response_.version(request_.version());
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(request_.keep_alive());
    response_.body() = *body_;
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (!ec && self->response_.keep_alive()) self->Read();
                      });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<const std::string> body_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void Accept(tcp::acceptor& acceptor, asio::io_context& ioc,
            const std::shared_ptr<const std::string>& body) {
  acceptor.async_accept(asio::make_strand(ioc), [&, body](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(s), body)->Start();
    }
    Accept(acceptor, ioc, body);
  });
}

// The body: a JSON array shaped like a /predict answer, padded to about `bytes`.
std::string Body(size_t bytes) {
  std::string out = "[";
  for (int i = 0; out.size() + 120 < bytes; ++i) {
    if (i > 0) out += ",";
    out += "{\"product_variant_sku\":\"P" + std::to_string(i) +
           "-0\",\"rs_info\":{\"recommendation_type\":\"HOMEPAGE\",\"model_identifier\":"
           "\"popularity\",\"model_name\":\"popularity\",\"position\":" + std::to_string(i) + "}}";
  }
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  int threads = 2;
  size_t body_bytes = 1200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--listen") {
      listen = argv[i + 1];
    } else if (flag == "--threads") {
      threads = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--body-bytes") {
      body_bytes = static_cast<size_t>(std::atol(argv[i + 1]));
    } else {
      std::fprintf(stderr, "bare_http_echo: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "bare_http_echo: --listen HOST:PORT\n");
    return 2;
  }
  asio::io_context ioc(threads);
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(listen.substr(0, colon), ec),
                               static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1)));
  if (ec) {
    std::fprintf(stderr, "bare_http_echo: bad address %s\n", listen.c_str());
    return 2;
  }
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::printf("listening on %s:%d\n", listen.substr(0, colon).c_str(),
              acceptor.local_endpoint().port());
  std::fflush(stdout);
  const auto body = std::make_shared<const std::string>(Body(body_bytes));
  Accept(acceptor, ioc, body);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (std::thread& t : pool) t.join();
  return 0;
}
