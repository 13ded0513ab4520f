// File: sim_backend.h
//
// SimBackend: a simulator of the Renewal backend (seed-systems.md §1.2-§1.8) for driving
// recsystems (recplat's `renewal` profile, or any other) end to end. On 127.0.0.1, over http/ws
// or (with a certificate and key) https/wss (backend_server.h), it serves
//   GET  /v1                                    {"version": 1} (no token needed)
//   GET  /v1/articles?limit&since_id&max_id     released articles, newest first (default 1000)
//   GET  /v1/articles/{id}                      one article (with live metrics), 404 if unknown
//   GET  /v1/articles/interactions/{id}[?user_id=U]
//                                               the accumulated interaction docs of the article
//                                               (one per user); with user_id the single doc;
//                                               404 when there is none (or no such article)
//   GET  /v1/user_assignments                   the caller's users: [{user_id, interactions}]
//   POST /v1/test/{method}                      the §1.8 test utility (trigger.h): calls
//                                               `method` with fake data on the caller's connected
//                                               recsystem and answers {method, params, result |
//                                               error, line}; 404 when it is not connected, 504
//                                               on timeout
//   WS   /v1/event_stream                       the JSON-RPC stream to one recsystem
// Every request but GET /v1 needs `Authorization: Bearer <HS256 JWT>` signed with the secret
// (401 otherwise); the JWT's `sub` names the recsystem; a second simultaneous event stream for
// the same `sub` is refused with 403 before the upgrade. After the upgrade the simulator calls
// `ping` and expects "pong" (anything else closes the connection); then the recsystem is
// "greeted": it receives notifications and takes part in refreshes.
//
// Simulation: articles of MindData are released over simulated time: `initial_articles` before
// the start (published one release interval apart up to the start), then ReleaseArticles(n)
// publishes more at the current simulated time (publish_date) and sends `new_article` to every
// greeted recsystem. Users are assigned to recsystems (assignments.h); changes are sent as
// `assigned_user` / `unassigned_user` {user_id, user: {user_id, interactions}}. Step() is one
// refresh of every user at the current simulated time, then advances the clock by
// `step_duration`:
//   - the user's assigned, greeted recsystems are asked `recommend` concurrently (2021 params
//     user_id/min_articles/max_articles, or 2020 params user_id/limit/since_id/max_id with
//     limit = max_articles); an error, timeout or non-array answer is a failed call; unknown or
//     repeated ids are dropped, the rest truncated to max_articles; a list shorter than
//     min_articles is discarded (§1.3);
//   - kInterleaved: two or more lists are merged by team-draft interleaving (interleaving.h)
//     into `shown` articles; a single list is shown alone; kSeparate: each list is shown on its
//     own (in random order), the user reacting to each;
//   - the user reacts (user_model.h: position bias, interest, appeal, freshness, no second click
//     on an article); the backend records `recommended` for every shown article, then `clicked`,
//     `rating` and `bookmarked` (§1.3 shapes) in the interaction store (article_store.h,
//     updating the article metrics) and sends each as `article_interaction`: in kInterleaved to
//     every greeted recsystem (as the real backend broadcasts events), in kSeparate only to the
//     recsystem whose list it was;
//   - each click is credited to the recsystem whose team contributed the article; per
//     recsystem the stats count calls, failures, discarded lists, articles shown, clicks and
//     the pairwise interleaving outcomes of each contest.
// With `seed_history`, the users' MIND clicks on initially released articles are recorded as
// `clicked` interactions before the start (so /v1/user_assignments and metrics carry them).
// Randomness: one generator per (seed, step, user), so a run is reproducible for a seed as long
// as the recsystems answer the same.
//
// Thread safety: all public methods may be called from any thread; Step()/Run() are serialised
// and block on the recsystems' answers (never call them from a server thread).
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
#include "tools/renewal_sim/user_model.h"

namespace recplat::renewal_sim {

enum class ShowMode { kInterleaved, kSeparate };
enum class RecommendStyle { k2021, k2020 };

struct SimOptions {
  // HS256 secret of the bearer tokens.
  std::string secret = "renewal-sim-secret";
  // 0 picks a free port.
  uint16_t port = 0;
  // PEM certificate chain and key (contents, not paths): when set, https/wss.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // Recsystems known from the start, in assignment order; others join when first greeted.
  std::vector<std::string> recsystems;
  // Recsystems per user (0: all); rotate the assignments every this many steps (0: never).
  size_t recsystems_per_user = 0;
  int64_t rotate_every = 0;
  // Articles released before the start; articles per step in Run().
  size_t initial_articles = 100;
  size_t release_per_step = 5;
  // Simulated clock: start, and simulated time per step.
  absl::Time start = absl::FromUnixSeconds(1573430400);  // 2019-11-11T00:00:00Z (MIND's week)
  absl::Duration step_duration = absl::Hours(1);
  // Record the users' MIND clicks on initial articles as interactions.
  bool seed_history = true;
  // Refresh: how lists are shown, which recommend params, list bounds, shown list length.
  ShowMode mode = ShowMode::kInterleaved;
  RecommendStyle style = RecommendStyle::k2021;
  int64_t min_articles = 5;
  int64_t max_articles = 20;
  size_t shown = 10;
  // Wait for a recommend answer; for a trigger answer.
  absl::Duration call_timeout = absl::Seconds(2);
  absl::Duration trigger_timeout = absl::Seconds(10);
  // Real-time pacing of Run(): each step takes at least this long (zero: as fast as possible).
  absl::Duration step_interval = absl::ZeroDuration();
  UserModelOptions user_model;
  uint64_t seed = 42;
};

struct RecsystemStats {
  int64_t recommend_calls = 0;
  int64_t failed_calls = 0;  // errors, timeouts, non-array results
  int64_t discarded = 0;     // lists shorter than min_articles
  int64_t shown = 0;         // articles shown to users from this recsystem's list / team
  int64_t clicks = 0;        // clicks credited to it
  int64_t likes = 0, dislikes = 0, bookmarks = 0;
  // Interleaved contests it took part in; pairwise outcomes of those with at least one click.
  int64_t contests = 0;
  int64_t wins = 0, losses = 0, ties = 0;
  double ctr() const {
    return shown == 0 ? 0.0 : static_cast<double>(clicks) / static_cast<double>(shown);
  }
};

// Outcomes of the contests between two recsystems (first < second by name).
struct PairStats {
  int64_t first_wins = 0, second_wins = 0, ties = 0;
  int64_t no_clicks = 0;  // contests where the user clicked nothing
};

struct TriggerResult {
  nlohmann::ordered_json params;
  nlohmann::json answer;  // the result, or {"error": {...}}
  std::string line;       // "method(k=v, ...) -> result"
};

class SimBackend {
 public:
  static absl::StatusOr<std::unique_ptr<SimBackend>> Start(SimOptions options, MindData data);
  ~SimBackend();  // Stop()

  SimBackend(const SimBackend&) = delete;
  SimBackend& operator=(const SimBackend&) = delete;

  // Closes the listener and every connection and joins the server threads. Idempotent.
  void Stop();

  uint16_t port() const;
  // http(s)://127.0.0.1:<port>/v1/
  std::string base_uri() const;
  // A bearer token for recsystem `sub`, signed with the secret.
  std::string TokenFor(const std::string& sub) const;

  // Publishes up to `n` more articles at the current simulated time (new_article to every
  // greeted recsystem); returns how many were released.
  size_t ReleaseArticles(size_t n);
  size_t released_articles() const;
  absl::Time now() const;

  // Recsystems (by sub) whose connection answered the ping and is still up.
  std::vector<std::string> greeted() const;
  // Waits until at least `n` recsystems are greeted.
  bool WaitForGreeted(size_t n, absl::Duration timeout) const;
  // The users assigned to `sub` (in user order).
  std::vector<std::string> UsersOf(const std::string& sub) const;

  // One refresh of every user (see the file comment), then the clock advances.
  void Step();
  // `steps` times: ReleaseArticles(release_per_step), Step(), paced by step_interval.
  void Run(int64_t steps);

  // The §1.8 utility: calls `method` on the greeted recsystem `sub` with FakeParams(method)
  // updated by `params` (an object, or null). NOT_FOUND when `sub` is not connected,
  // INVALID_ARGUMENT for a bad method name or params, DEADLINE_EXCEEDED after trigger_timeout,
  // UNAVAILABLE when the connection drops.
  absl::StatusOr<TriggerResult> Trigger(const std::string& sub, const std::string& method,
                                        const nlohmann::json& params);

  std::map<std::string, RecsystemStats> stats() const;
  std::map<std::pair<std::string, std::string>, PairStats> pairs() const;
  // Requests refused with 401 / 403; failed TLS handshakes.
  int64_t unauthorized() const;
  int64_t duplicates_refused() const;
  int64_t tls_failures() const;

  struct Impl;

 private:
  explicit SimBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_sim
