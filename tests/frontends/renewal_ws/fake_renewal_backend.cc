#include "tests/frontends/renewal_ws/fake_renewal_backend.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "tools/renewal_sim/backend_server.h"

namespace recplat::renewal_ws::renewal_test {

using nlohmann::json;
using renewal_sim::BackendServer;
using renewal_sim::HttpRequest;
using renewal_sim::HttpResponse;

struct FakeRenewalBackend::Impl : renewal_sim::BackendHandler {
  std::string token;
  std::unique_ptr<BackendServer> server;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<json> articles;
  json assignments = json::array();
  std::vector<std::string> rest_requests;
  std::deque<std::shared_ptr<FakeSession>> new_sessions;

  absl::StatusOr<std::string> Authenticate(const HttpRequest& request) override {
    if (request.authorization != "Bearer " + token) {
      return absl::UnauthenticatedError("wrong token");
    }
    return std::string("recsystem");
  }

  absl::StatusOr<std::shared_ptr<renewal_sim::RpcPeer>> AdmitStream(
      const std::string& principal) override {
    return std::make_shared<FakeSession>(principal);
  }

  void OnStreamOpen(const std::shared_ptr<renewal_sim::RpcPeer>& peer) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      new_sessions.push_back(peer);
    }
    cv.notify_all();
  }

  HttpResponse Serve(const std::string& principal, const HttpRequest& request) override {
    auto number = [&](const char* key, int64_t fallback) {
      int64_t v = fallback;
      if (auto it = request.query.find(key);
          it != request.query.end() && !absl::SimpleAtoi(it->second, &v)) {
        v = fallback;
      }
      return v;
    };
    std::lock_guard<std::mutex> lock(mu);
    rest_requests.push_back(request.target);
    if (request.path == "/v1/articles") {
      const int64_t limit = std::max<int64_t>(1, number("limit", 1000));
      const int64_t since = number("since_id", INT64_MIN);
      const int64_t max = number("max_id", INT64_MAX);
      std::vector<json> out;
      for (const json& a : articles) {
        const int64_t id = a.at("article_id").get<int64_t>();
        if (id > since && id < max) out.push_back(a);
      }
      std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
        return a.at("article_id").get<int64_t>() > b.at("article_id").get<int64_t>();
      });
      if (static_cast<int64_t>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
      return {200, json(std::move(out))};
    }
    if (request.path == "/v1/user_assignments") return {200, assignments};
    if (request.path == "/v1") return {200, json{{"version", 1}}};
    return {404, json{{"error", "not found"}}};
  }
};

FakeRenewalBackend::FakeRenewalBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeRenewalBackend::~FakeRenewalBackend() { Stop(); }

absl::StatusOr<std::unique_ptr<FakeRenewalBackend>> FakeRenewalBackend::Start(
    FakeBackendOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->token = options.token;
  renewal_sim::ServerOptions server;
  server.port = options.port;
  server.cert_pem = std::move(options.cert_pem);
  server.key_pem = std::move(options.key_pem);
  absl::StatusOr<std::unique_ptr<BackendServer>> started =
      BackendServer::Start(std::move(server), impl.get());
  if (!started.ok()) return started.status();
  impl->server = *std::move(started);
  return std::unique_ptr<FakeRenewalBackend>(new FakeRenewalBackend(std::move(impl)));
}

void FakeRenewalBackend::Stop() { impl_->server->Stop(); }

uint16_t FakeRenewalBackend::port() const { return impl_->server->port(); }

std::string FakeRenewalBackend::base_uri() const { return impl_->server->base_uri(); }

void FakeRenewalBackend::SetArticles(std::vector<json> articles) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->articles = std::move(articles);
}

void FakeRenewalBackend::AddArticle(json article) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->articles.push_back(std::move(article));
}

void FakeRenewalBackend::SetAssignments(json assignments) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->assignments = std::move(assignments);
}

std::vector<std::string> FakeRenewalBackend::rest_requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->rest_requests;
}

int FakeRenewalBackend::unauthorized() const {
  return static_cast<int>(impl_->server->unauthorized());
}

int FakeRenewalBackend::tls_failures() const {
  return static_cast<int>(impl_->server->tls_failures());
}

std::shared_ptr<FakeSession> FakeRenewalBackend::WaitForSession(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                          [&] { return !impl_->new_sessions.empty(); })) {
    return nullptr;
  }
  std::shared_ptr<FakeSession> session = impl_->new_sessions.front();
  impl_->new_sessions.pop_front();
  return session;
}

}  // namespace recplat::renewal_ws::renewal_test
