// File: ecoseller_routes.h
//
// The ecoseller route set (seed-systems.md section 3.1), wire-compatible with the original
// Flask recommender so the ecoseller backend works unchanged:
//   GET  /                              200, empty body (health check)
//   POST /store_object                  one object with `_model_class` -> 200, empty body
//   POST /store_objects                 a JSON array of them -> 200, empty body
//   POST /predict                       [{"product_variant_sku", "rs_info": {...}}, ...]
//   POST /predict/product_positions     {"<product id>": position, ...}
//   GET  /dashboard/configuration       {"models", "config", "info"}
//   GET  /dashboard/performance         {"models", "performance", "info"}
//   GET  /dashboard/training            {"models", "training"}
// The original had no access control: the routes are open unless `require_api_key` (then they
// need a user key once the router has keys; `GET /` stays open).
// Where the original answered Flask's 500 HTML page for bad input, these answer 4xx with the JSON
// error body of ErrorResponse (docs/ecoseller.md lists the differences).
//
// The frontend is a codec over api::Api (store_codec.h, predictor.h, shop_reads.h, dashboard.h):
// it keeps no shop, cache, ranking rule or statistics of its own, so any number of frontend
// processes over one core answer alike.
//
// Thread-safety: the frontend is thread-safe; it must outlive the router it is added to.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/api/api.h"
#include "core/common/clock.h"
#include "frontends/http_rest/router.h"

namespace recplat::http::ecoseller {

struct EcosellerOptions {
  std::string tenant = "default";
  // Wall time (the default create_at of objects sent without one); nullptr: the system clock.
  // Not owned.
  const common::Clock* clock = nullptr;
  // The routes (but `GET /`) need a user API key (router.h, "Access control").
  bool require_api_key = false;
};

class EcosellerFrontend {
 public:
  // `api` must outlive the frontend. Reads nothing yet (no start-up cost, no core call).
  static absl::StatusOr<std::unique_ptr<EcosellerFrontend>> Create(api::Api* api,
                                                                   EcosellerOptions options);
  ~EcosellerFrontend();

  absl::Status AddRoutes(Router* router);

 private:
  struct Impl;
  explicit EcosellerFrontend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::http::ecoseller
