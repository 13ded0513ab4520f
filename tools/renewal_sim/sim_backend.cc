// SimBackend: lifecycle, greeting, assignments, article releases and the trigger utility.
// REST routes: sim_rest.cc; refreshes: sim_refresh.cc.
#include "tools/renewal_sim/sim_backend.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/renewal_sim/internal/sim_impl.h"
#include "tools/renewal_sim/jwt.h"
#include "tools/renewal_sim/trigger.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;

constexpr char kDuplicate[] =
    "multiple simultaneous connections from the same recsystem are not currently allowed";

std::vector<std::string> UserIds(const MindData& data) {
  std::vector<std::string> ids;
  for (const SimUser& u : data.users) ids.push_back(u.user_id);
  return ids;
}

}  // namespace

SimBackend::Impl::Impl(SimOptions opts, MindData mind)
    : options(std::move(opts)),
      data(std::move(mind)),
      model(data, options.user_model),
      clock(options.start),
      assignments(UserIds(data), options.recsystems_per_user) {
  published.resize(data.articles.size(), absl::InfinitePast());
  for (const std::string& sub : options.recsystems) assignments.AddRecsystem(sub);
  // Initial articles: one release interval apart, the newest published at the start.
  const size_t n = std::min(options.initial_articles, data.articles.size());
  const absl::Duration interval =
      options.step_duration / static_cast<int64_t>(std::max<size_t>(1, options.release_per_step));
  for (size_t i = 0; i < n; ++i) {
    published[i] = options.start - interval * static_cast<int64_t>(n - 1 - i);
    store.Add(ArticleDocument(data.articles[i], published[i])).IgnoreError();  // ids are unique
  }
  released = n;
  if (options.seed_history) {
    for (const SimUser& user : data.users) {
      for (int64_t id : user.clicked_articles) {
        if (id < 1 || static_cast<size_t>(id) > n) continue;
        store.Interact(user.user_id, id, json{{"clicked", true}}, options.start).IgnoreError();
      }
    }
  }
}

SimBackend::Impl::~Impl() {
  if (server != nullptr) server->Stop();
}

absl::StatusOr<std::shared_ptr<RpcPeer>> SimBackend::Impl::AdmitStream(const std::string& sub) {
  std::lock_guard<std::mutex> lock(mu);
  if (sessions.contains(sub)) {
    ++duplicates;
    return absl::PermissionDeniedError(kDuplicate);
  }
  auto peer = std::make_shared<RpcPeer>(sub);
  sessions[sub] = peer;
  return peer;
}

void SimBackend::Impl::OnStreamOpen(const std::shared_ptr<RpcPeer>& peer) {
  std::weak_ptr<RpcPeer> weak = peer;
  peer->CallAsync("ping", nullptr, [this, weak](absl::StatusOr<json> result) {
    auto p = weak.lock();
    if (p == nullptr) return;
    if (!result.ok() || *result != "pong") {
      p->Close();
      return;
    }
    OnPong(p);
  });
}

void SimBackend::Impl::OnPong(const std::shared_ptr<RpcPeer>& peer) {
  std::vector<Assignments::Change> changes;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = sessions.find(peer->principal());
    if (it == sessions.end() || it->second != peer) return;
    greeted.insert(peer->principal());
    changes = assignments.AddRecsystem(peer->principal());
    stats[peer->principal()];  // listed from now on, even without calls
  }
  cv.notify_all();
  SendAssignmentChanges(changes);
}

void SimBackend::Impl::OnStreamClosed(const std::shared_ptr<RpcPeer>& peer) {
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = sessions.find(peer->principal());
    if (it != sessions.end() && it->second == peer) {
      sessions.erase(it);
      greeted.erase(peer->principal());
    }
  }
  cv.notify_all();
}

json SimBackend::Impl::UserObject(const std::string& user_id) const {
  return json{{"user_id", user_id}, {"interactions", store.InteractionsOfUser(user_id)}};
}

void SimBackend::Impl::SendAssignmentChanges(const std::vector<Assignments::Change>& changes) {
  for (const Assignments::Change& change : changes) {
    std::shared_ptr<RpcPeer> peer = GreetedPeer(change.recsystem);
    if (peer == nullptr) continue;  // it reads GET /v1/user_assignments when it connects
    peer->Notify(change.assigned ? "assigned_user" : "unassigned_user",
                 json{{"user_id", change.user_id}, {"user", UserObject(change.user_id)}});
  }
}

std::vector<std::shared_ptr<RpcPeer>> SimBackend::Impl::GreetedPeers() const {
  std::lock_guard<std::mutex> lock(mu);
  std::vector<std::shared_ptr<RpcPeer>> out;
  for (const std::string& sub : greeted) {
    if (auto it = sessions.find(sub); it != sessions.end()) out.push_back(it->second);
  }
  return out;
}

std::shared_ptr<RpcPeer> SimBackend::Impl::GreetedPeer(const std::string& sub) const {
  std::lock_guard<std::mutex> lock(mu);
  auto it = sessions.find(sub);
  if (!greeted.contains(sub) || it == sessions.end()) return nullptr;
  return it->second;
}

size_t SimBackend::Impl::Release(size_t n) {
  std::vector<json> fresh;
  {
    std::lock_guard<std::mutex> lock(mu);
    const size_t end = std::min(released + n, data.articles.size());
    for (size_t i = released; i < end; ++i) {
      published[i] = clock;
      json doc = ArticleDocument(data.articles[i], clock);
      store.Add(doc).IgnoreError();  // ids are unique
      fresh.push_back(std::move(doc));
    }
    released = end;
  }
  for (const auto& peer : GreetedPeers()) {
    for (const json& article : fresh) peer->Notify("new_article", {{"article", article}});
  }
  return fresh.size();
}

SimBackend::SimBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimBackend::~SimBackend() { Stop(); }

absl::StatusOr<std::unique_ptr<SimBackend>> SimBackend::Start(SimOptions options, MindData data) {
  if (options.min_articles < 0 || options.max_articles < 1 ||
      options.min_articles > options.max_articles || options.shown == 0) {
    return absl::InvalidArgumentError(
        "sim: need 0 <= min_articles <= max_articles, max_articles >= 1 and shown >= 1");
  }
  if (options.step_duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("sim: step_duration must be positive");
  }
  ServerOptions server;
  server.port = options.port;
  server.cert_pem = options.tls_cert_pem;
  server.key_pem = options.tls_key_pem;
  auto impl = std::make_unique<Impl>(std::move(options), std::move(data));
  absl::StatusOr<std::unique_ptr<BackendServer>> started =
      BackendServer::Start(std::move(server), impl.get());
  if (!started.ok()) return started.status();
  impl->server = *std::move(started);
  return std::unique_ptr<SimBackend>(new SimBackend(std::move(impl)));
}

void SimBackend::Stop() { impl_->server->Stop(); }

uint16_t SimBackend::port() const { return impl_->server->port(); }

std::string SimBackend::base_uri() const { return impl_->server->base_uri(); }

std::string SimBackend::TokenFor(const std::string& sub) const {
  return RecsystemToken(sub, impl_->options.secret, absl::Now());
}

size_t SimBackend::ReleaseArticles(size_t n) { return impl_->Release(n); }

size_t SimBackend::released_articles() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->released;
}

absl::Time SimBackend::now() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->clock;
}

std::vector<std::string> SimBackend::greeted() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return {impl_->greeted.begin(), impl_->greeted.end()};
}

bool SimBackend::WaitForGreeted(size_t n, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                            [&] { return impl_->greeted.size() >= n; });
}

std::vector<std::string> SimBackend::UsersOf(const std::string& sub) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->assignments.UsersOf(sub);
}

void SimBackend::Step() { impl_->StepOnce(); }

void SimBackend::Run(int64_t steps) {
  for (int64_t s = 0; s < steps; ++s) {
    const absl::Time begin = absl::Now();
    ReleaseArticles(impl_->options.release_per_step);
    Step();
    const absl::Duration left = begin + impl_->options.step_interval - absl::Now();
    if (left > absl::ZeroDuration()) absl::SleepFor(left);
  }
}

absl::StatusOr<TriggerResult> SimBackend::Impl::Trigger(const std::string& sub,
                                                        const std::string& method,
                                                        const json& params) {
  if (!ValidMethodName(method)) return absl::InvalidArgumentError("trigger: bad method name");
  if (!params.is_null() && !params.is_object()) {
    return absl::InvalidArgumentError("trigger: params must be a JSON object");
  }
  std::shared_ptr<RpcPeer> peer = GreetedPeer(sub);
  if (peer == nullptr) {
    return absl::NotFoundError(absl::StrCat("recsystem '", sub, "' is not connected"));
  }
  TriggerResult out;
  out.params = FakeParams(method);
  if (params.is_object()) {
    if (!out.params.is_object()) out.params = nlohmann::ordered_json::object();
    for (const auto& [k, v] : params.items()) out.params[k] = v;
  }
  absl::StatusOr<json> answer = peer->Call(method, json(out.params), options.trigger_timeout);
  if (!answer.ok()) return answer.status();
  out.answer = *std::move(answer);
  out.line = CallLine(method, out.params, out.answer);
  return out;
}

absl::StatusOr<TriggerResult> SimBackend::Trigger(const std::string& sub, const std::string& method,
                                                  const json& params) {
  return impl_->Trigger(sub, method, params);
}

std::map<std::string, RecsystemStats> SimBackend::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

std::map<std::pair<std::string, std::string>, PairStats> SimBackend::pairs() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->pairs;
}

int64_t SimBackend::unauthorized() const { return impl_->server->unauthorized(); }

int64_t SimBackend::duplicates_refused() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->duplicates;
}

int64_t SimBackend::tls_failures() const { return impl_->server->tls_failures(); }

}  // namespace recplat::renewal_sim
