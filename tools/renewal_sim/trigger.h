// File: trigger.h
//
// The reference test utility (seed-systems.md §1.8: `python -m renewal_recsystem.test -t
// <token> <method>`): the backend invokes a named JSON-RPC method on the caller's connected
// recsystem with fake data and the utility prints the result, e.g.
//   recommend(user_id='fake-user', max_articles=200, min_articles=15) -> []
// The simulator serves it as `POST /v1/test/{method}` (Bearer JWT of the recsystem; an optional
// JSON object body overrides or adds params; see sim_backend.h) and `renewal-sim trigger` is
// the command-line side (PostTrigger). This file holds the fake data, the Python-style
// formatting of the line and the small HTTP(S) client; the call itself is SimBackend::Trigger.
//
// Fake data (all requests, so even notification methods get an answer, null for those):
//   ping                 no params
//   recommend            user_id 'fake-user', max_articles 200, min_articles 15
//   new_article          article: a fake Article with article_id 0 (never a real id, so a
//                        recsystem's catch-up since its newest article is not disturbed)
//   article_interaction  interaction: user 'fake-user' clicked article 0
//   assigned_user /      user_id 'fake-user' and user {user_id 'fake-user', interactions []}
//   unassigned_user
//   anything else        no params (the recsystem will likely answer "method not found")
//
// Thread safety: pure functions; PostTrigger blocks the calling thread for at most `timeout`.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim {

// The fake params of `method` (in the order the reference prints them); null for none.
nlohmann::ordered_json FakeParams(const std::string& method);

// Python's repr of a JSON value: 'text', None, True, False, 12, 1.5, [a, b], {'k': v}.
std::string PyRepr(const nlohmann::ordered_json& value);

// "method(k=v, ...) -> repr(result)"; for a JSON-RPC error "-> error: repr(error)".
// `answer` is the result, or an object {"error": {...}} (RpcPeer's convention).
std::string CallLine(const std::string& method, const nlohmann::ordered_json& params,
                     const nlohmann::json& answer);

// Whether `method` is a plausible JSON-RPC method name ([A-Za-z_][A-Za-z0-9_.]*, <= 64 chars).
bool ValidMethodName(const std::string& method);

struct TriggerRequest {
  // The simulator's API base, e.g. http://127.0.0.1:8080/v1/ (https for TLS).
  std::string api_base_uri;
  // The recsystem's bearer token.
  std::string token;
  std::string method;
  // Params overriding the fake ones (an object), or null.
  nlohmann::json params;
  // TLS: PEM file of trusted CAs (empty: system store); skip verification entirely.
  std::string ca_file;
  bool insecure_skip_verify = false;
  absl::Duration timeout = absl::Seconds(15);
};

// POSTs <api_base_uri>test/<method> and returns the JSON body of a 200 answer
// ({"method", "params", "result" or "error", "line"}). INVALID_ARGUMENT for a bad URI or method;
// UNAVAILABLE when the simulator cannot be reached or the TLS handshake fails; otherwise the
// answer's status through the usual mapping (401 UNAUTHENTICATED, 404 NOT_FOUND for a
// recsystem that is not connected, 504 DEADLINE_EXCEEDED, ...), with the body's error message.
absl::StatusOr<nlohmann::json> PostTrigger(const TriggerRequest& request);

}  // namespace recplat::renewal_sim
