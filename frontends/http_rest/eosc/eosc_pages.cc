#include "frontends/http_rest/eosc/eosc_pages.h"

#include "absl/strings/str_cat.h"
#include "core/api/status_mapping.h"
#include "frontends/http_rest/eosc/eosc_codec.h"

namespace recplat::http::eosc {
namespace {

using nlohmann::json;

constexpr int kMinRows = 10;

json Up() { return json{{"status", "UP"}}; }
json Down(const std::string& error) { return json{{"status", "DOWN"}, {"error", error}}; }
bool IsUp(const json& node) { return node.value("status", "") == "UP"; }

json Table(absl::StatusOr<uint64_t> rows) {
  if (!rows.ok()) return Down(api::ClientMessage(rows.status()));
  if (*rows < kMinRows) {
    return Down(absl::StrCat("Not enough rows: ", *rows, " (at least ", kMinRows, " needed)"));
  }
  return Up();
}

absl::StatusOr<uint64_t> UserRows(api::Api& api, const std::string& tenant) {
  v1::ScanDocumentsRequest scan;
  scan.set_tenant(tenant);
  scan.set_collection(kUsersCollection);
  scan.set_keys_only(true);
  scan.set_limit(kMinRows);
  absl::StatusOr<v1::ScanDocumentsResponse> got = api.ScanDocuments(scan);
  if (!got.ok()) return got.status();
  return static_cast<uint64_t>(got->documents_size());
}

absl::StatusOr<uint64_t> ServiceRows(api::Api& api, const std::string& tenant) {
  v1::ListItemsRequest list;
  list.set_tenant(tenant);
  list.set_page_size(1);
  absl::StatusOr<v1::ListItemsResponse> got = api.ListItems(list);
  if (!got.ok()) return got.status();
  return got->total();
}

// nullopt when the core does not configure the engine.
std::optional<json> Engine(api::Api& api, const std::string& tenant, const std::string& name,
                           bool random) {
  v1::ListModelsRequest list;
  list.set_tenant(tenant);
  list.set_model(name);
  absl::StatusOr<v1::ListModelsResponse> got = api.ListModels(list);
  if (!got.ok()) {
    if (absl::IsNotFound(got.status())) return std::nullopt;
    return Down(api::ClientMessage(got.status()));
  }
  if (random) return Up();
  for (const v1::ModelVersion& v : got->versions()) {
    if (v.status() == v1::MODEL_STATUS_CURRENT && v.version() > 0) return Up();
  }
  return Down(absl::StrCat("No trained ", name, " model yet (POST /update or GET /training)"));
}

}  // namespace

json HealthTree(api::Api& api, const std::string& tenant, const std::vector<std::string>& engines,
                const std::string& random_engine, const std::optional<json>& databus) {
  json database = {{"user_table", Table(UserRows(api, tenant))},
                   {"service_table", Table(ServiceRows(api, tenant))}};
  const bool db_up = IsUp(database["user_table"]) && IsUp(database["service_table"]);
  database["status"] = db_up ? "UP" : "DOWN";
  if (!db_up) database["error"] = "A table is unhealthy";

  absl::StatusOr<v1::GetStatsResponse> stats = api.GetStats(v1::GetStatsRequest());
  json worker = stats.ok() ? Up() : Down(api::ClientMessage(stats.status()));

  json engines_node = json::object();
  bool engines_up = true;
  for (const std::string& name : engines) {
    std::optional<json> node = Engine(api, tenant, name, name == random_engine);
    if (!node.has_value()) continue;
    engines_up = engines_up && IsUp(*node);
    engines_node[name] = *std::move(node);
  }
  const bool up = db_up && IsUp(worker) && engines_up && (!databus || IsUp(*databus));
  json tree = {{"status", up ? "UP" : "DOWN"},
               {"database", database},
               {"celery_worker", worker},
               {"recommender_engines", engines_node}};
  if (databus.has_value()) tree["databus"] = *databus;
  return tree;
}

HttpResponse SwaggerResponse() {
  auto post = [](const char* summary, const char* model, int status) {
    return json{{"post",
                 {{"summary", summary},
                  {"parameters",
                   json::array({{{"name", "payload"},
                                 {"required", true},
                                 {"in", "body"},
                                 {"schema", {{"$ref", absl::StrCat("#/definitions/", model)}}}}})},
                  {"responses",
                   {{std::to_string(status), {{"description", "Success"}}},
                    {"400", {{"description", "Input payload validation failed"}}}}}}}};
  };
  auto get = [](const char* summary) {
    return json{
        {"get", {{"summary", summary}, {"responses", {{"200", {{"description", "Success"}}}}}}}};
  };
  auto object = [](std::initializer_list<const char*> required) {
    return json{{"type", "object"}, {"required", required}};
  };
  json doc = {
      {"swagger", "2.0"},
      {"basePath", "/"},
      {"info", {{"title", "Recommender system API"}, {"version", "1.0"}}},
      {"produces", {"application/json"}},
      {"consumes", {"application/json"}},
      {"paths",
       {{"/recommendations", post("Get recommendations", "Recommendation context", 200)},
        {"/user_actions", post("Send user action", "User action", 204)},
        {"/database_dumps", post("Send database dump", "Database dump", 204)},
        {"/update", post("Send database dump and train", "Database dump", 204)},
        {"/training", get("Queue the training of the models")},
        {"/health", get("Deep health check")}}},
      {"definitions",
       {{"Recommendation context",
         object({"unique_id", "timestamp", "visit_id", "page_id", "search_data"})},
        {"User action", object({"unique_id", "timestamp", "source", "target", "action"})},
        {"Database dump", object({"services", "users", "categories", "providers",
                                  "scientific_domains", "platforms", "target_users", "access_modes",
                                  "access_types", "trls", "life_cycle_statuses"})}}}};
  return JsonResponse(doc.dump());
}

HttpResponse RootPage() {
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!DOCTYPE html><html><head><title>Recommender system API</title></head><body>"
      "<h1>Recommender system API</h1><p>OpenAPI document: <a href=\"/swagger.json\">"
      "/swagger.json</a></p></body></html>";
  return r;
}

}  // namespace recplat::http::eosc
