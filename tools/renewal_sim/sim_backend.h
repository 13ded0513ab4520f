// File: sim_backend.h
//
// SimBackend: a simulator of the Renewal backend (seed-systems.md §1.2-§1.4) for driving
// recsystems (recplat's `renewal` profile, or any other) end to end. On 127.0.0.1 it serves
//   GET /v1                                   {"version": 1} (no token needed)
//   GET /v1/articles?limit&since_id&max_id    released articles, newest first (default 1000)
//   GET /v1/articles/{id}                     one article, 404 when unknown
//   GET /v1/user_assignments                  [{"user_id", "interactions": []}, ...]
//   WS  /v1/event_stream                      the JSON-RPC stream to one recsystem
// Every request but GET /v1 needs `Authorization: Bearer <HS256 JWT>` signed with the secret
// (401 otherwise); the JWT's `sub` names the recsystem, and a second simultaneous event stream
// for the same `sub` is refused with 403 before the upgrade. After the upgrade the simulator
// calls `ping` and expects "pong" (anything else closes the connection).
//
// Simulation (MindData): ReleaseArticles() publishes the next replayed articles and sends them
// as `new_article` notifications; Step() asks each greeted recsystem to `recommend` for each
// simulated user, sends `article_interaction` {recommended} for every returned id, lets the user
// pick at most one by category affinity and click it with a probability that grows with that
// affinity ({clicked}), and counts recommendations and clicks per recsystem (CTR).
//
// Thread safety: all public methods may be called from any thread while the server runs on its
// own I/O thread; Step() blocks on the recsystems' answers and must not run on that thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/renewal_sim/mind_data.h"

namespace recplat::renewal_sim {

struct SimOptions {
  // HS256 secret of the bearer tokens.
  std::string secret = "renewal-sim-secret";
  // 0 picks a free port.
  uint16_t port = 0;
  // Articles released before any recsystem connects (the rest via ReleaseArticles).
  size_t initial_articles = 100;
  // `limit` of each recommend call; how long to wait for its answer.
  int64_t recommend_limit = 10;
  absl::Duration call_timeout = absl::Seconds(2);
  // Click model: P(click | picked article of category c) = base + gain * affinity(c).
  double click_base = 0.05;
  double click_gain = 0.9;
  uint64_t seed = 42;
};

struct RecsystemStats {
  int64_t recommend_calls = 0;
  int64_t failed_calls = 0;  // errors, timeouts, non-array results
  int64_t recommended = 0;   // article ids returned (known ones)
  int64_t clicks = 0;
  double ctr() const {
    return recommended == 0 ? 0.0 : static_cast<double>(clicks) / static_cast<double>(recommended);
  }
};

class SimBackend {
 public:
  static absl::StatusOr<std::unique_ptr<SimBackend>> Start(SimOptions options, MindData data);
  ~SimBackend();  // Stop()

  SimBackend(const SimBackend&) = delete;
  SimBackend& operator=(const SimBackend&) = delete;

  // Closes the listener and every connection and joins the I/O thread. Idempotent.
  void Stop();

  uint16_t port() const;
  // http://127.0.0.1:<port>/v1/
  std::string base_uri() const;
  // A bearer token for recsystem `sub`, signed with the secret.
  std::string TokenFor(const std::string& sub) const;

  // Publishes up to `n` more replayed articles (new_article to every greeted recsystem);
  // returns how many were released.
  size_t ReleaseArticles(size_t n);
  size_t released_articles() const;

  // Recsystems (by sub) whose connection answered the ping and is still up.
  std::vector<std::string> greeted() const;
  // Waits until at least `n` recsystems are greeted.
  bool WaitForGreeted(size_t n, absl::Duration timeout) const;

  // One simulated round over every user and every greeted recsystem.
  void Step();

  std::map<std::string, RecsystemStats> stats() const;
  // Requests refused with 401 / 403.
  int64_t unauthorized() const;
  int64_t duplicates_refused() const;

  struct Impl;

 private:
  explicit SimBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_sim
