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
// Where the original answered Flask's 500 HTML page for bad input, these answer 4xx with the JSON
// error body of ErrorResponse (docs/ecoseller.md lists the differences).
//
// Thread-safety: the frontend is thread-safe; it must outlive the router it is added to.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/router.h"

namespace recplat::http::ecoseller {

struct EcosellerOptions {
  std::string tenant = "default";
  // LRU size of the CATEGORY_LIST cache (RS_CACHE_SIZE of the original; 0 disables it).
  size_t cache_size = 1000;
  absl::Duration cache_ttl = absl::Seconds(60);
};

class EcosellerFrontend {
 public:
  // Opens the shop (rebuilding its mirror from the core). `api` must outlive the frontend.
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
