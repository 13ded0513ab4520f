// File: eosc_pages.h
//
// The EOSC route set's read-only pages: the deep health tree of GET /health (the 2024
// original's shape, from the core's state and model registry), the Swagger 2.0 document of
// GET /swagger.json and the page of GET /.
//
// Thread-safety: pure functions over a thread-safe Api.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/api/api.h"
#include "frontends/http_rest/http_message.h"
#include "nlohmann/json.hpp"

namespace recplat::http::eosc {

// {"status": "UP"|"DOWN", "database": {"status", "user_table": {...}, "service_table": {...}},
//  "celery_worker": {...}, "databus": {...}, "recommender_engines": {<engine>: {...}, ...}}
// ("databus" only when given: the databus client's node, eosc_databus.h): a table is DOWN
// below 10 rows, an engine DOWN without a trained (current) version (the random engine is
// always UP; engines the core does not configure are left out), the training worker (the
// original's Celery worker) DOWN when the core does not answer; every node DOWN carries an
// "error". The root is UP when every node is. Never fails: a core error makes its node DOWN.
nlohmann::json HealthTree(api::Api& api, const std::string& tenant,
                          const std::vector<std::string>& engines,
                          const std::string& random_engine,
                          const std::optional<nlohmann::json>& databus = std::nullopt);

// The Swagger 2.0 document of the routes (eosc_routes.h), as flask-restx serves it.
HttpResponse SwaggerResponse();

// GET /: a small HTML page naming the API and linking /swagger.json.
HttpResponse RootPage();

}  // namespace recplat::http::eosc
