#include "tests/tools/renewal_sim/sim_test_util.h"

// Standard headers first: Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
#include <utility>

#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace recplat::renewal_sim::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;

std::pair<unsigned, json> Get(uint16_t port, const std::string& target, const std::string& token) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {0, json()};
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return {0, json()};
  return {res.result_int(), json::parse(res.body(), nullptr, false)};
}

std::pair<unsigned, std::string> Upgrade(uint16_t port, const std::string& token) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {0, ""};
  http::request<http::empty_body> req{http::verb::get, "/v1/event_stream", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req, ec);
  if (ec) return {0, ""};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http::read_header(stream, buffer, parser, ec);
  if (ec) return {0, ""};
  const unsigned status = parser.get().result_int();
  if (status != 101) http::read(stream, buffer, parser, ec);
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return {status, parser.get().body()};
}

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  const int64_t step = first <= last ? 1 : -1;
  for (int64_t id = first; id != last + step; id += step) out.push_back(id);
  return out;
}
}  // namespace recplat::renewal_sim::testing
