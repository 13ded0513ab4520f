#include "frontends/http_rest/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

struct Response {
  int status = 0;
  absl::flat_hash_map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A blocking client on a raw socket, so that tests can send arbitrary bytes. Every wait is
// bounded by a timeout.
class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool Send(absl::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void CloseWrite() { ::shutdown(fd_, SHUT_WR); }

  // One response (requires Content-Length, which the server always sends); nullopt on close,
  // timeout or a malformed response.
  std::optional<Response> Read(absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time deadline = absl::Now() + timeout;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    Response response;
    std::vector<absl::string_view> lines =
        absl::StrSplit(absl::string_view(buffer_).substr(0, head_end), "\r\n");
    std::vector<absl::string_view> status_line = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
    if (status_line.size() < 2 || status_line[0] != "HTTP/1.1" ||
        !absl::SimpleAtoi(status_line[1], &response.status)) {
      return std::nullopt;
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) return std::nullopt;
      response.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    size_t length = 0;
    if (response.status >= 200 && response.status != 204 &&
        !absl::SimpleAtoi(response.headers["content-length"], &length)) {
      return std::nullopt;
    }
    while (buffer_.size() < head_end + 4 + length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return response;
  }

  // True when the server closes the connection within `timeout` (and sends nothing more).
  bool WaitClosed(absl::Duration timeout = absl::Seconds(3)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (Fill(deadline)) {
    }
    return closed_ && buffer_.empty();
  }

 private:
  bool Fill(absl::Time deadline) {
    pollfd pfd{fd_, POLLIN, 0};
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0 || ::poll(&pfd, 1, static_cast<int>(ms)) <= 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

std::string Get(absl::string_view target, absl::string_view extra_headers = "") {
  return absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: t\r\n", extra_headers, "\r\n");
}

std::string Post(absl::string_view target, absl::string_view body) {
  return absl::StrCat("POST ", target, " HTTP/1.1\r\nHost: t\r\nContent-Length: ", body.size(),
                      "\r\n\r\n", body);
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    EXPECT_OK(router_.Add("GET", "/hello", [](const HttpRequest& r) {
      const std::string* q = r.Query("q");
      const std::string* h = r.Header("X-Test");
      return JsonResponse(absl::StrCat("hi ", q ? *q : "-", " ", h ? *h : "-",
                                       r.headers.contains("x-test") ? " lower" : ""));
    }));
    EXPECT_OK(router_.Add("GET", "/items/{id}", [](const HttpRequest& r) {
      return JsonResponse(r.path_params.at("id"));
    }));
    EXPECT_OK(router_.Add("POST", "/echo", [](const HttpRequest& r) {
      HttpResponse response = JsonResponse(r.body);
      response.content_type = "text/plain";
      return response;
    }));
    EXPECT_OK(router_.Add("DELETE", "/items/{id}", [](const HttpRequest&) {
      HttpResponse response = EmptyResponse(204);
      response.body = "must not be sent";
      response.headers = {{"Content-Length", "99"}, {"connection", "close"}, {"X-Extra", "y"},
                          {"Bad\r\nHeader", "z"}, {"X-Split", "a\r\nInjected: 1"}};
      return response;
    }));
    EXPECT_OK(router_.Add("GET", "/slow", [this](const HttpRequest&) {
      slow_entered_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return JsonResponse("done");
    }));
  }

  void StartServer(HttpServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    auto server = HttpServer::Start(options, &router_, &registry_);
    ASSERT_OK(server.status());
    server_ = std::move(server).value();
    ASSERT_GT(server_->port(), 0);
    EXPECT_EQ(server_->address(), absl::StrCat("127.0.0.1:", server_->port()));
  }

  // "<method> <route> <code>=<count> " for every series of `family` (a counter, or a histogram's
  // sample count).
  std::string Counted(const std::string& family) {
    std::string out;
    for (const auto& f : registry_.Collect()) {
      if (f.name != family) continue;
      for (const auto& metric : f.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& label : metric.label) labels[label.name] = label.value;
        const double count = f.type == prometheus::MetricType::Histogram
                                 ? static_cast<double>(metric.histogram.sample_count)
                                 : metric.counter.value;
        absl::StrAppend(&out, labels["method"], " ", labels["route"], " ", labels["code"], "=",
                        count, " ");
      }
    }
    return out;
  }

  Router router_;
  prometheus::Registry registry_;
  std::atomic<bool> slow_entered_{false};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesGetAndPost) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/hello?q=a%20b+c", "X-TEST: v\r\n")));
  std::optional<Response> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hi a b c v lower");
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_EQ(r->headers["server"], "recplat");
  EXPECT_TRUE(r->headers.contains("date"));

  ASSERT_TRUE(client.Send(Post("/echo", "payload \r\n\r\n bytes")));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "payload \r\n\r\n bytes");
  EXPECT_EQ(r->headers["content-type"], "text/plain");

  ASSERT_TRUE(client.Send(Get("/items/a%2Fb")));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "a/b");

  ASSERT_TRUE(client.Send(Get("/nope")));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr("NOT_FOUND"));

  ASSERT_TRUE(client.Send(Get("/echo")));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "POST");

  // Chunked bodies and Expect: 100-continue.
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                          "Expect: 100-continue\r\n\r\n"));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 100);
  ASSERT_TRUE(client.Send("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "abcde");

  // Every request above was counted, by route pattern (not the raw path), method and status.
  const std::string counted = Counted("recplat_http_requests_total");
  EXPECT_THAT(counted, HasSubstr("GET /hello 200=1 "));
  EXPECT_THAT(counted, HasSubstr("POST /echo 200=2 "));
  EXPECT_THAT(counted, HasSubstr("GET /items/{id} 200=1 "));
  EXPECT_THAT(counted, HasSubstr("GET unmatched 404=1 "));
  EXPECT_THAT(counted, HasSubstr("GET unmatched 405=1 "));  // a path known for POST only
  EXPECT_THAT(Counted("recplat_http_request_latency_seconds"), HasSubstr("POST /echo 200=2 "));
}

TEST_F(HttpServerTest, ServerOwnsResponseFraming) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send("DELETE /items/1 HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/items/2")));
  std::optional<Response> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->headers["x-extra"], "y");
  EXPECT_FALSE(r->headers.contains("content-length"));
  EXPECT_FALSE(r->headers.contains("connection"));
  EXPECT_FALSE(r->headers.contains("injected"));
  r = client.Read();  // the connection is still in sync
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "2");
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(Get(absl::StrCat("/hello?q=", i))));
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body, absl::StrCat("hi ", i, " -"));
    EXPECT_FALSE(r->headers.contains("connection"));
  }
  // Pipelined requests are answered in order.
  ASSERT_TRUE(client.Send(Get("/hello?q=p1") + Post("/echo", "p2") + Get("/hello?q=p3")));
  for (const char* expected : {"hi p1 -", "p2", "hi p3 -"}) {
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value()) << expected;
    EXPECT_EQ(r->body, expected);
  }
}

TEST_F(HttpServerTest, HonoursConnectionClose) {
  StartServer();
  {
    Client client(server_->port());
    ASSERT_TRUE(client.Send(Get("/hello", "Connection: close\r\n")));
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->headers["connection"], "close");
    EXPECT_TRUE(client.WaitClosed());
  }
  {
    Client client(server_->port());  // HTTP/1.0 closes by default
    ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n"));
    ASSERT_TRUE(client.Read().has_value());
    EXPECT_TRUE(client.WaitClosed());
  }
  {
    Client client(server_->port());  // ... unless it asks for keep-alive
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      std::optional<Response> r = client.Read();
      ASSERT_TRUE(r.has_value()) << i;
      EXPECT_EQ(r->headers["connection"], "keep-alive");
    }
  }
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  StartServer(options);
  {
    Client client(server_->port());
    ASSERT_TRUE(client.Send(Post("/echo", std::string(16, 'x'))));  // at the limit: fine
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  for (const std::string& request :
       {Post("/echo", std::string(100000, 'x')),
        std::string("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "20\r\n0123456789abcdef0123456789abcdef\r\n0\r\n\r\n")}) {
    Client client(server_->port());
    client.Send(request);  // the server may answer before reading it all
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 413);
    EXPECT_THAT(r->body, HasSubstr(R"("status":413)"));
    EXPECT_EQ(r->headers["connection"], "close");
    EXPECT_TRUE(client.WaitClosed());
  }
  // A body refused before dispatch is counted with the method of its header, as unmatched.
  EXPECT_THAT(Counted("recplat_http_requests_total"), HasSubstr("POST unmatched 413=2 "));
}

TEST_F(HttpServerTest, CountsUnknownMethodsAsOther) {
  StartServer();
  Client client(server_->port());
  for (const char* method : {"BREW", "PROPFIND", "GET"}) {
    ASSERT_TRUE(client.Send(absl::StrCat(method, " /items/x HTTP/1.1\r\nHost: t\r\n\r\n")));
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value()) << method;
  }
  const std::string counted = Counted("recplat_http_requests_total");
  EXPECT_THAT(counted, HasSubstr("other unmatched 405=2 "));
  EXPECT_THAT(counted, HasSubstr("GET /items/{id} 200=1 "));
  EXPECT_THAT(counted, ::testing::Not(HasSubstr("BREW")));
}

TEST_F(HttpServerTest, MalformedRequestIs400AndCloses) {
  StartServer();
  for (const char* garbage : {"this is not http\r\n\r\n", "GET /x HTTQ/1.1\r\n\r\n",
                              "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n",
                              "POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
    Client client(server_->port());
    ASSERT_TRUE(client.Send(garbage));
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value()) << garbage;
    EXPECT_EQ(r->status, 400) << garbage;
    EXPECT_THAT(r->body, HasSubstr("INVALID_ARGUMENT"));
    EXPECT_TRUE(client.WaitClosed()) << garbage;
  }
}

TEST_F(HttpServerTest, ConfiguredHeadersAreOnEveryResponseRefusalsToo) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  options.header_timeout = absl::Milliseconds(200);
  options.response_headers = {{"Access-Control-Allow-Origin", "*"},
                              {"x-extra", "server"},
                              {"Bad\r\nHeader", "dropped"}};
  StartServer(options);
  const std::string oversized_headers =
      absl::StrCat("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ", std::string(64 << 10, 'a'),
                   "\r\n\r\n");
  const std::pair<std::string, int> cases[] = {
      {Get("/hello"), 200},
      {"this is not http\r\n\r\n", 400},
      {Post("/echo", std::string(1000, 'x')), 413},
      {oversized_headers, 431},
      {"GET /hello HTTP/1.1\r\nHost: t\r\n", 408},
  };
  for (const auto& [request, status] : cases) {
    Client client(server_->port());
    client.Send(request);
    std::optional<Response> r = client.Read();
    ASSERT_TRUE(r.has_value()) << status;
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->headers["access-control-allow-origin"], "*") << status;
    EXPECT_EQ(r->headers["x-extra"], "server") << status;
    EXPECT_FALSE(r->headers.contains("bad")) << status;
  }
  // A route's own header of that name wins (compared case-insensitively).
  Client client(server_->port());
  ASSERT_TRUE(client.Send("DELETE /items/1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::optional<Response> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->headers["x-extra"], "y");
  EXPECT_EQ(r->headers["access-control-allow-origin"], "*");
}

TEST_F(HttpServerTest, TimeoutsCloseConnections) {
  HttpServerOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  options.header_timeout = absl::Milliseconds(200);
  StartServer(options);
  Client idle(server_->port());
  ASSERT_TRUE(idle.Send(Get("/hello")));
  ASSERT_TRUE(idle.Read().has_value());
  const absl::Time start = absl::Now();
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));

  Client slow(server_->port());  // sends half the headers, then stalls
  ASSERT_TRUE(slow.Send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
  std::optional<Response> r = slow.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(slow.WaitClosed());
}

TEST_F(HttpServerTest, ConcurrentClientsAreAllAnswered) {
  HttpServerOptions options;
  options.threads = 2;
  StartServer(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Client client(server_->port());
      for (int i = 0; i < 50; ++i) {
        const std::string body = absl::StrCat("t", t, "-", i);
        if (!client.Send(i % 2 == 0 ? Post("/echo", body) : Get("/items/" + body))) return;
        std::optional<Response> r = client.Read();
        if (r.has_value() && r->status == 200 && r->body == body) ++ok;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8 * 50);
}

TEST_F(HttpServerTest, ShutdownLetsInFlightRequestsFinish) {
  StartServer();
  Client idle(server_->port());
  ASSERT_TRUE(idle.Send(Get("/hello")));
  ASSERT_TRUE(idle.Read().has_value());
  Client busy(server_->port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  while (!slow_entered_) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::thread shutdown([&] { server_->Shutdown(absl::Seconds(5)); });
  EXPECT_TRUE(idle.WaitClosed(absl::Milliseconds(250)));  // idle: closed at once
  std::optional<Response> r = busy.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(r->headers["connection"], "close");
  shutdown.join();
  server_->Shutdown(absl::Seconds(1));  // idempotent
  Client late(server_->port());
  EXPECT_FALSE(late.connected());
}

TEST_F(HttpServerTest, StartReportsBadAddresses) {
  StartServer();
  HttpServerOptions options;
  options.listen = server_->address();
  EXPECT_THAT(HttpServer::Start(options, &router_, nullptr),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr(server_->address())));
  for (const char* listen : {"nonsense", "127.0.0.1:99999", "127.0.0.1:x", ":80"}) {
    options.listen = listen;
    EXPECT_THAT(HttpServer::Start(options, &router_, nullptr),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << listen;
  }
  options.listen = "127.0.0.1:0";
  EXPECT_THAT(HttpServer::Start(options, nullptr, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Random and mutated requests on fresh connections must never crash the server or stop it from
// answering; whatever it answers is a well-formed response.
TEST_F(HttpServerTest, SurvivesRandomBytes) {
  HttpServerOptions options;
  options.max_body_bytes = 64;
  StartServer(options);
  const std::vector<std::string> seeds = {
      Get("/hello?q=1"), Post("/echo", "abc"), Get("/items/x", "Connection: close\r\n"),
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "GET /hello HTTP/1.0\r\n\r\n"};
  std::mt19937 rng(12345);
  const auto uniform = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n)(rng); };
  int answered = 0;
  for (int i = 0; i < 300; ++i) {
    std::string input = seeds[uniform(seeds.size() - 1)];
    for (size_t m = uniform(4); m > 0; --m) {
      if (input.empty()) break;
      const size_t pos = uniform(input.size() - 1);
      switch (uniform(3)) {
        case 0: input[pos] = static_cast<char>(uniform(255)); break;
        case 1: input.insert(pos, std::string(uniform(8), static_cast<char>(uniform(255)))); break;
        case 2: input.erase(pos, uniform(8)); break;
        default: input += input.substr(pos); break;
      }
    }
    if (i % 10 == 0) {  // pure noise
      input.resize(uniform(200));
      for (char& c : input) c = static_cast<char>(uniform(255));
    }
    Client client(server_->port());
    ASSERT_TRUE(client.connected()) << "iteration " << i;
    client.Send(input);
    client.CloseWrite();
    while (std::optional<Response> r = client.Read(absl::Seconds(2))) {
      EXPECT_TRUE(r->status == 200 || r->status == 400 || r->status == 404 ||
                  r->status == 405 || r->status == 413 || r->status == 431)
          << r->status << " for " << absl::CEscape(input);
      ++answered;
    }
  }
  EXPECT_GT(answered, 0);
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/hello?q=after")));
  std::optional<Response> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "hi after -");
}

}  // namespace
}  // namespace recplat::http
