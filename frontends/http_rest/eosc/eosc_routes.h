// File: eosc_routes.h
//
// The EOSC Marketplace route set (../shared/specs/seed-systems.md section 2; docs/eosc.md),
// wire-compatible with the recommender the Marketplace calls (2021 seed contract, accepting the
// 2024 superset), plain HTTP, no prefix, no access control:
//   POST /recommendations   K services for a panel (v1: 3, v2: 2) -> {"recommendations": [...]}
//                           (2024 requests: + panel_id, scores, explanations,
//                           explanations_short, engine_version)
//   POST /user_actions      204
//   POST /database_dumps    204; imports the dump in the background
//   POST /update            204; imports the dump in the background, then queues training
//   GET  /training          200 null; queues training
//   GET  /health            200 {"status": "UP"|"DOWN", ...} (the 2024 deep health tree)
//   GET  /swagger.json      the OpenAPI (Swagger 2.0) document of these routes
//   GET  /                  200, a page pointing at /swagger.json
// Schema violations answer 400 {"errors": {<field>: <msg>}, "message": "Input payload
// validation failed"} (flask-restx); malformed JSON 400 {"message": ...}.
//
// The frontend is a codec over api::Api (eosc_codec.h): the catalogue, the users, their
// accessed services, the journeys, the engines and their fallback, the candidate filters and
// the training are the core's, so any number of frontend processes over one core answer alike.
// The one thing it owns is the import worker: a dump is validated while the request waits (a
// rejected dump changes nothing), then written by one background thread, in arrival order, as
// one atomic core write; a dump still queued when the frontend is destroyed is written first.
//
// With a databus (eosc_databus.h), answers to client_id "marketplace" are also published to the
// STOMP broker, user actions consumed from it are stored like POST /user_actions, and
// /health has a `databus` node.
//
// Thread-safety: the frontend is thread-safe; it must outlive the router it is added to.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/api/api.h"
#include "core/common/clock.h"
#include "frontends/http_rest/eosc/eosc_databus.h"
#include "frontends/http_rest/router.h"

namespace recplat::http::eosc {

struct EoscOptions {
  std::string tenant = "default";
  std::string surface = "eosc";
  std::string default_engine = "NCF";
  std::vector<std::string> engines = {"NCF", "RL", "Random"};
  std::string random_engine = "Random";
  std::vector<std::string> train_models = {"NCF", "RL"};
  // Wall time; nullptr: the system clock. Not owned.
  const common::Clock* clock = nullptr;
  // The STOMP databus; none when unset.
  std::optional<DatabusOptions> databus;
};

class EoscFrontend {
 public:
  // `api` must outlive the frontend. Starts the import worker and the databus client (which
  // connects in the background; a broker that is down only makes /health's databus DOWN).
  static absl::StatusOr<std::unique_ptr<EoscFrontend>> Create(api::Api* api, EoscOptions options);
  // Stops the databus, writes the dumps still queued, then stops the import worker.
  ~EoscFrontend();

  absl::Status AddRoutes(Router* router);

  // Blocks until every dump accepted so far is imported (and its training queued). For tests.
  void WaitForImportsForTest();

 private:
  struct Impl;
  explicit EoscFrontend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::http::eosc
