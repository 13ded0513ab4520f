// File: internal/sim_impl.h
//
// The state behind SimBackend (sim_backend.h), shared by its three source files:
// sim_backend.cc (lifecycle, greeting, assignments, releases, trigger), sim_rest.cc (the REST
// routes and auth) and sim_refresh.cc (one refresh of a user: recommend, interleave, react,
// record). Private to tools/renewal_sim.
//
// Locking: `mu` guards the fields marked below; never hold it while calling into an RpcPeer's
// CallAsync (its callback may run inline and take `mu`). `step_mu` serialises Step().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/renewal_sim/article_store.h"
#include "tools/renewal_sim/assignments.h"
#include "tools/renewal_sim/backend_server.h"
#include "tools/renewal_sim/rpc_peer.h"
#include "tools/renewal_sim/sim_backend.h"
#include "tools/renewal_sim/user_model.h"

namespace recplat::renewal_sim {

struct SimBackend::Impl : BackendHandler {
  Impl(SimOptions options, MindData data);
  ~Impl() override;

  // BackendHandler (sim_rest.cc, sim_backend.cc).
  bool RequiresAuth(const HttpRequest& request) override;
  absl::StatusOr<std::string> Authenticate(const HttpRequest& request) override;
  absl::StatusOr<std::shared_ptr<RpcPeer>> AdmitStream(const std::string& principal) override;
  void OnStreamOpen(const std::shared_ptr<RpcPeer>& peer) override;
  void OnStreamClosed(const std::shared_ptr<RpcPeer>& peer) override;
  HttpResponse Serve(const std::string& principal, const HttpRequest& request) override;

  // sim_backend.cc
  void OnPong(const std::shared_ptr<RpcPeer>& peer);
  void SendAssignmentChanges(const std::vector<Assignments::Change>& changes);
  // {user_id, interactions: [accumulated docs]}.
  nlohmann::json UserObject(const std::string& user_id) const;
  std::vector<std::shared_ptr<RpcPeer>> GreetedPeers() const;
  std::shared_ptr<RpcPeer> GreetedPeer(const std::string& sub) const;
  size_t Release(size_t n);
  absl::StatusOr<TriggerResult> Trigger(const std::string& sub, const std::string& method,
                                        const nlohmann::json& params);

  // sim_refresh.cc
  void StepOnce();
  void RefreshUser(size_t user_index, int64_t step, absl::Time now);

  const SimOptions options;
  const MindData data;
  const UserModel model;
  ArticleStore store;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  // Guarded by mu:
  size_t released = 0;
  std::vector<absl::Time> published;  // by article index; set when released
  absl::Time clock;
  int64_t step = 0;
  std::map<std::string, std::shared_ptr<RpcPeer>> sessions;  // live streams by sub
  std::set<std::string> greeted;
  Assignments assignments;
  std::map<std::string, RecsystemStats> stats;
  std::map<std::pair<std::string, std::string>, PairStats> pairs;
  int64_t duplicates = 0;

  std::mutex step_mu;
  // Last member: stopped and destroyed first, while the rest is still alive.
  std::unique_ptr<BackendServer> server;
};

}  // namespace recplat::renewal_sim
