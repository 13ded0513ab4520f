// File: equivalence_support.h
//
// Support of the cross-process equivalence e2e tests (frontend_equivalence_*_e2e_test.cc): a
// Deployment of the real recplat binary in one of the two shapes under comparison — one
// `role: all` process, or one `role: core` process with N `role: frontend` processes over its
// gRPC API — JSON calls, the normalisation of answers, and bounded waits on the core's state.
// Not a fake: every process is the real binary on 127.0.0.1 with port 0 (ServerProcess).
//
// Thread-safety: none; one test thread drives a Deployment.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"

namespace recplat::testing {

// One HTTP answer: status, raw body, and the body parsed (null for an empty body, a
// "discarded" value for a body that is not JSON).
struct JsonAnswer {
  int status = 0;
  std::string raw;
  nlohmann::json body;
};

JsonAnswer CallJson(HttpClient& client, boost::beast::http::verb verb, const std::string& target,
                    const std::string& body = "");

struct DeploymentOptions {
  // Profile path and the data directory of the process that owns the state.
  std::string profile;
  std::filesystem::path data_dir;
  // Added to every process (e.g. --set training.enabled=false).
  std::vector<std::string> common_args;
  // Added to the processes that run the profile's frontends (role all, role frontend), e.g. the
  // renewal token.
  std::vector<std::string> frontend_args;
  // 0: one `role: all` process. N > 0: one `role: core` process and N `role: frontend`
  // processes with `core.address` = the core's gRPC address.
  int frontends = 0;
};

class Deployment {
 public:
  explicit Deployment(DeploymentOptions options);
  ~Deployment();

  // Starts every process, then waits (bounded) until every frontend process answers /readyz
  // with 200. False on failure; Diagnostics() then says which process and why.
  bool Start();
  // SIGTERM to the frontends, then the core; true when every process exited with status 0.
  bool Stop();

  bool split() const { return !frontends_.empty(); }
  // Processes that serve the profile's routes: the `role: all` process, or the N frontends.
  size_t frontend_count() const { return split() ? frontends_.size() : 1; }
  // A client of frontend `i` (i < frontend_count()), kept open across calls.
  HttpClient& Frontend(size_t i);
  // The next frontend in round-robin order (always the same one for a single process).
  HttpClient& NextFrontend();
  // The native HTTP API of the process that holds the state (the core, or the single process).
  HttpClient& Core();
  const std::string& core_http_address() const;
  // Every process's stderr, labelled (for failure messages).
  std::string Diagnostics() const;

 private:
  DeploymentOptions options_;
  std::unique_ptr<ServerProcess> core_;
  std::vector<std::unique_ptr<ServerProcess>> frontends_;
  std::unique_ptr<HttpClient> core_client_;
  std::vector<std::unique_ptr<HttpClient>> frontend_clients_;
  size_t next_ = 0;
};

// Polls GET /v1/stats on `client` until the materializer has applied everything appended
// (materializer_lag 0) and `done` accepts the answer (the stats of the default tenant, or an
// empty object when it has none yet), for at most `timeout`. Returns whether it got there;
// `*last` (optional) receives the last stats answer read.
bool AwaitSettled(HttpClient& client, const std::function<bool(const nlohmann::json&)>& done,
                  absl::Duration timeout = absl::Seconds(20), nlohmann::json* last = nullptr);

// The `default` tenant's entry of a GET /v1/stats answer (`items`, `events`,
// `events_by_type`...), or an empty object.
nlohmann::json TenantStats(const nlohmann::json& stats);
// An unsigned counter of a stats entry (proto3 JSON writes 64-bit integers as strings); 0 when
// absent.
uint64_t StatCount(const nlohmann::json& entry, const std::string& key);

// Replaces the value of every object member named in `keys`, at any depth, with the string
// "<normalised>" (the member stays, so a missing member still fails a comparison).
nlohmann::json Normalise(nlohmann::json value, const std::set<std::string>& keys);

// Same for the members of objects named in `keys`: each member's value becomes "<normalised>",
// its name stays (e.g. which event types an item's decayed counts have, not their values).
nlohmann::json NormaliseMapValues(nlohmann::json value, const std::set<std::string>& keys);

}  // namespace recplat::testing
