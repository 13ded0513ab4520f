#include "frontends/http_rest/native_routes.h"

#include <string>
#include <utility>
#include <vector>

#include "frontends/http_rest/json_codec.h"

namespace recplat::http {

namespace {

using api::Api;

template <typename Req, typename Resp>
using ApiMethod = absl::StatusOr<Resp> (Api::*)(const Req&);

// The path parameter `name`; the router binds every parameter of the matched pattern.
const std::string& PathParam(const HttpRequest& request, const std::string& name) {
  static const std::string* const kEmpty = new std::string();
  auto it = request.path_params.find(name);
  return it == request.path_params.end() ? *kEmpty : it->second;
}

// A route whose request is the JSON body.
template <typename Req, typename Resp>
Handler BodyRoute(Api* api, ApiMethod<Req, Resp> method) {
  return [api, method](const HttpRequest& http) {
    Req request;
    if (absl::Status s = ParseJsonBody(http, &request); !s.ok()) {
      return ErrorResponse(s);
    }
    return FromStatusOr((api->*method)(request));
  };
}

// A route whose request comes from the query parameters and, when `id_in_path`, its `id` field
// from the path parameter {id}.
template <typename Req, typename Resp>
Handler QueryRoute(Api* api, ApiMethod<Req, Resp> method, bool id_in_path = false) {
  return [api, method, id_in_path](const HttpRequest& http) {
    Req request;
    absl::Status s =
        id_in_path ? ParseQueryParams(http, &request, {"id"}) : ParseQueryParams(http, &request);
    if (s.ok() && id_in_path) {
      s = SetFieldFromText("id", PathParam(http, "id"), "path parameter 'id'", &request);
    }
    if (!s.ok()) {
      return ErrorResponse(s);
    }
    return FromStatusOr((api->*method)(request));
  };
}

// DELETE /v1/items/{id}: DeleteItems of that one id, tenant from the query.
Handler DeleteOneItemRoute(Api* api) {
  return [api](const HttpRequest& http) {
    v1::DeleteItemsRequest request;
    if (absl::Status s = ParseQueryParams(http, &request); !s.ok()) {
      return ErrorResponse(s);
    }
    request.add_ids(PathParam(http, "id"));
    return FromStatusOr(api->DeleteItems(request));
  };
}

struct Route {
  const char* method;
  const char* pattern;
  // The Api method the route calls (its access is api::RequiredAccess of it), or null for an
  // open route.
  const char* api_method;
  Handler handler;
};

absl::Status AddAll(std::vector<Route> routes, Router* router) {
  for (Route& route : routes) {
    const api::Access access = route.api_method == nullptr
                                   ? api::Access::kOpen
                                   : api::RequiredAccess(route.api_method);
    if (absl::Status s = router->Add(route.method, route.pattern, std::move(route.handler), access);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AddHealthRoutes(api::Api* api, Router* router) {
  std::vector<Route> routes;
  // Open: Kubernetes probes carry no key.
  routes.push_back({"GET", "/healthz", nullptr,
                    [](const HttpRequest&) { return JsonResponse(R"({"status":"ok"})"); }});
  routes.push_back({"GET", "/readyz", nullptr, [api](const HttpRequest&) {
                      return api->Ready() ? JsonResponse(R"({"status":"ready"})")
                                          : JsonResponse(R"({"status":"starting"})", 503);
                    }});
  return AddAll(std::move(routes), router);
}

absl::Status AddNativeRoutes(api::Api* api, Router* router) {
  std::vector<Route> routes;
  // Catalog.
  routes.push_back({"POST", "/v1/items", "UpsertItems", BodyRoute(api, &Api::UpsertItems)});
  routes.push_back({"GET", "/v1/items", "ListItems", QueryRoute(api, &Api::ListItems)});
  routes.push_back({"POST", "/v1/items/query", "ListItems", BodyRoute(api, &Api::ListItems)});
  routes.push_back({"GET", "/v1/items/{id}", "GetItem", QueryRoute(api, &Api::GetItem, true)});
  routes.push_back({"DELETE", "/v1/items/{id}", "DeleteItems", DeleteOneItemRoute(api)});
  routes.push_back({"POST", "/v1/items/delete", "DeleteItems", BodyRoute(api, &Api::DeleteItems)});
  routes.push_back({"POST", "/v1/users", "UpsertUsers", BodyRoute(api, &Api::UpsertUsers)});
  routes.push_back({"GET", "/v1/users/{id}", "GetUser", QueryRoute(api, &Api::GetUser, true)});
  // Events.
  routes.push_back({"POST", "/v1/events", "AppendEvents", BodyRoute(api, &Api::AppendEvents)});
  // Recommendations.
  routes.push_back({"POST", "/v1/recommend", "Recommend", BodyRoute(api, &Api::Recommend)});
  routes.push_back({"POST", "/v1/similar", "SimilarItems", BodyRoute(api, &Api::SimilarItems)});
  routes.push_back({"GET", "/v1/served", "ScanServed", QueryRoute(api, &Api::ScanServed)});
  routes.push_back({"POST", "/v1/served/evaluate", "EvaluateServed", BodyRoute(api, &Api::EvaluateServed)});
  // Models.
  routes.push_back({"GET", "/v1/models", "ListModels", QueryRoute(api, &Api::ListModels)});
  routes.push_back({"POST", "/v1/models/train", "Train", BodyRoute(api, &Api::Train)});
  routes.push_back({"POST", "/v1/models/promote", "Promote", BodyRoute(api, &Api::Promote)});
  routes.push_back({"POST", "/v1/models/training_stats", "ModelTrainingStats",
                    BodyRoute(api, &Api::ModelTrainingStats)});
  // Admin.
  routes.push_back({"GET", "/v1/stats", "GetStats", QueryRoute(api, &Api::GetStats)});
  routes.push_back({"GET", "/v1/config", "GetConfig", QueryRoute(api, &Api::GetConfig)});
  return AddAll(std::move(routes), router);
}

}  // namespace recplat::http
