// File: native_routes.h
//
// The route sets that the HTTP frontend serves on top of api::Api:
//   - health: GET /healthz (the process answers) and GET /readyz (Api::Ready()), open to all
//     (Kubernetes probes carry no key);
//   - native: the JSON mirror of the internal API under /v1 (docs/http_api.md lists every
//     route). Bodies and query parameters are decoded with json_codec.h; errors answer the JSON
//     error body of ErrorResponse, with the HTTP status from the one status-mapping table.
//     Each route needs the access of the Api method it calls (api::RequiredAccess), checked by
//     the router once it has keys.
//
// `api` is not owned and must outlive `router`. Both functions fail (ALREADY_EXISTS or
// whatever Router::Add answers) when one of their routes is already registered.
#pragma once

#include "absl/status/status.h"
#include "core/api/api.h"
#include "frontends/http_rest/router.h"

namespace recplat::http {

// GET /healthz -> 200 {"status":"ok"}.
// GET /readyz  -> 200 {"status":"ready"} when api->Ready(), else 503 {"status":"starting"}.
absl::Status AddHealthRoutes(api::Api* api, Router* router);

// The native JSON API (/v1/...).
absl::Status AddNativeRoutes(api::Api* api, Router* router);

}  // namespace recplat::http
