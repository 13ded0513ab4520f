#include "tests/e2e/equivalence_support.h"

#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

// Polls GET `path` until it answers `status`, for at most `timeout`.
bool AwaitStatus(HttpClient& client, const std::string& path, int status, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (client.Get(path).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

}  // namespace

JsonAnswer CallJson(HttpClient& client, boost::beast::http::verb verb, const std::string& target,
                    const std::string& body) {
  HttpResult r = client.Send(verb, target, body);
  JsonAnswer out;
  out.status = r.status;
  out.raw = r.body;
  out.body = r.body.empty() ? json(nullptr) : json::parse(r.body, nullptr, false);
  return out;
}

Deployment::Deployment(DeploymentOptions options) : options_(std::move(options)) {}

Deployment::~Deployment() = default;

bool Deployment::Start() {
  std::vector<std::string> args = {"--profile", options_.profile, "--data-dir",
                                   options_.data_dir.string()};
  args.insert(args.end(), options_.common_args.begin(), options_.common_args.end());
  if (options_.frontends == 0) {
    args.insert(args.end(), options_.frontend_args.begin(), options_.frontend_args.end());
    core_ = std::make_unique<ServerProcess>(args);
    if (!core_->Start()) return false;
  } else {
    args.insert(args.end(), {"--set", "role=core"});
    core_ = std::make_unique<ServerProcess>(args);
    if (!core_->Start() || core_->grpc_address().empty()) return false;
    for (int i = 0; i < options_.frontends; ++i) {
      // A role `frontend` process ignores its data directory (and never creates it).
      std::vector<std::string> f = {
          "--profile",
          options_.profile,
          "--data-dir",
          (options_.data_dir.parent_path() / ("unused-frontend-" + std::to_string(i))).string(),
          "--set",
          "role=frontend",
          "--set",
          "core.address=" + core_->grpc_address()};
      f.insert(f.end(), options_.common_args.begin(), options_.common_args.end());
      f.insert(f.end(), options_.frontend_args.begin(), options_.frontend_args.end());
      frontends_.push_back(std::make_unique<ServerProcess>(std::move(f)));
      if (!frontends_.back()->Start()) return false;
    }
  }
  core_client_ = std::make_unique<HttpClient>(core_->http_address());
  for (size_t i = 0; i < frontend_count(); ++i) {
    const std::string& address = split() ? frontends_[i]->http_address() : core_->http_address();
    frontend_clients_.push_back(std::make_unique<HttpClient>(address));
    if (!AwaitStatus(*frontend_clients_.back(), "/readyz", 200, absl::Seconds(20))) return false;
  }
  return true;
}

bool Deployment::Stop() {
  bool clean = true;
  for (auto& f : frontends_) clean = f->Terminate() == 0 && clean;
  if (core_ != nullptr) clean = core_->Terminate() == 0 && clean;
  return clean;
}

HttpClient& Deployment::Frontend(size_t i) { return *frontend_clients_.at(i); }

HttpClient& Deployment::NextFrontend() {
  HttpClient& client = Frontend(next_);
  next_ = (next_ + 1) % frontend_count();
  return client;
}

HttpClient& Deployment::Core() { return *core_client_; }

const std::string& Deployment::core_http_address() const { return core_->http_address(); }

std::string Deployment::Diagnostics() const {
  std::string out;
  if (core_ != nullptr) {
    out += (split() ? "--- core stderr ---\n" : "--- process stderr ---\n") + core_->ReadStderr();
  }
  for (size_t i = 0; i < frontends_.size(); ++i) {
    out += "--- frontend " + std::to_string(i) + " stderr ---\n" + frontends_[i]->ReadStderr();
  }
  return out;
}

json TenantStats(const json& stats) {
  if (stats.is_object() && stats.contains("tenants") && stats["tenants"].is_array()) {
    for (const json& t : stats["tenants"]) {
      // proto3 JSON leaves out empty strings: the default tenant may have no `tenant` member.
      if (t.value("tenant", std::string("default")) == "default") return t;
    }
  }
  return json::object();
}

uint64_t StatCount(const json& entry, const std::string& key) {
  if (!entry.is_object() || !entry.contains(key)) return 0;
  const json& v = entry[key];
  if (v.is_number_unsigned() || v.is_number_integer()) return v.get<uint64_t>();
  uint64_t out = 0;
  if (v.is_string() && absl::SimpleAtoi(v.get<std::string>(), &out)) return out;
  return 0;
}

bool AwaitSettled(HttpClient& client, const std::function<bool(const json&)>& done,
                  absl::Duration timeout, json* last) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const HttpResult r = client.Get("/v1/stats");
    const json stats = json::parse(r.body, nullptr, false);
    if (last != nullptr) *last = stats;
    // proto3 JSON leaves out a zero lag.
    if (r.status == 200 && StatCount(stats, "materializer_lag") == 0 && done(TenantStats(stats))) {
      return true;
    }
    if (absl::Now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

json Normalise(json value, const std::set<std::string>& keys) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (keys.contains(it.key())) {
        it.value() = "<normalised>";
      } else {
        it.value() = Normalise(std::move(it.value()), keys);
      }
    }
  } else if (value.is_array()) {
    for (json& element : value) element = Normalise(std::move(element), keys);
  }
  return value;
}

json NormaliseMapValues(json value, const std::set<std::string>& keys) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (keys.contains(it.key()) && it.value().is_object()) {
        for (auto& [name, v] : it.value().items()) v = "<normalised>";
      } else {
        it.value() = NormaliseMapValues(std::move(it.value()), keys);
      }
    }
  } else if (value.is_array()) {
    for (json& element : value) element = NormaliseMapValues(std::move(element), keys);
  }
  return value;
}

}  // namespace recplat::testing
