// SimBackend: authentication and the REST routes (see sim_backend.h for the list).
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "tools/renewal_sim/internal/sim_impl.h"
#include "tools/renewal_sim/jwt.h"
#include "tools/renewal_sim/trigger.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;

constexpr char kArticlesPrefix[] = "/v1/articles/";
constexpr char kInteractionsPrefix[] = "/v1/articles/interactions/";
constexpr char kTestPrefix[] = "/v1/test/";

HttpResponse Error(unsigned status, const std::string& message) {
  return {status, json{{"error", message}}};
}

// A query parameter as an integer; nullopt when absent or negative (the 2020 backend ignores
// negative since_id/max_id); INVALID_ARGUMENT when not an integer.
absl::StatusOr<std::optional<int64_t>> QueryInt(const HttpRequest& request, const char* key) {
  auto it = request.query.find(key);
  if (it == request.query.end() || it->second.empty()) return std::nullopt;
  int64_t v = 0;
  if (!absl::SimpleAtoi(it->second, &v)) {
    return absl::InvalidArgumentError(std::string(key) + " must be an integer");
  }
  if (v < 0) return std::nullopt;
  return v;
}

std::optional<int64_t> PathId(const std::string& path, size_t prefix) {
  int64_t id = 0;
  if (path.size() <= prefix || !absl::SimpleAtoi(path.substr(prefix), &id)) return std::nullopt;
  return id;
}

unsigned HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace

bool SimBackend::Impl::RequiresAuth(const HttpRequest& request) {
  return !(request.method == "GET" && request.path == "/v1");
}

absl::StatusOr<std::string> SimBackend::Impl::Authenticate(const HttpRequest& request) {
  if (!absl::StartsWith(request.authorization, "Bearer ")) {
    return absl::UnauthenticatedError("no bearer token");
  }
  absl::StatusOr<json> claims =
      VerifyHs256(request.authorization.substr(7), options.secret, absl::Now());
  if (!claims.ok()) return claims.status();
  return (*claims)["sub"].get<std::string>();
}

HttpResponse SimBackend::Impl::Serve(const std::string& principal, const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/v1") return {200, json{{"version", 1}}};
  if (absl::StartsWith(path, kTestPrefix)) {
    if (request.method != "POST") return Error(405, "use POST");
    json params;
    if (!request.body.empty()) {
      params = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
      if (!params.is_object()) return Error(400, "the body must be a JSON object of params");
    }
    const std::string method = path.substr(sizeof(kTestPrefix) - 1);
    // Blocks this worker thread while the recsystem answers (at most trigger_timeout).
    absl::StatusOr<TriggerResult> result = Trigger(principal, method, params);
    if (!result.ok()) {
      return Error(HttpStatus(result.status()), std::string(result.status().message()));
    }
    json body = {{"method", method}, {"params", json(result->params)}, {"line", result->line}};
    const bool error = result->answer.is_object() && result->answer.size() == 1 &&
                       result->answer.contains("error");
    if (error) {
      body["error"] = result->answer["error"];
    } else {
      body["result"] = result->answer;
    }
    return {200, std::move(body)};
  }
  if (request.method != "GET") return Error(405, "use GET");
  if (path == "/v1/articles") {
    absl::StatusOr<std::optional<int64_t>> since = QueryInt(request, "since_id");
    absl::StatusOr<std::optional<int64_t>> max = QueryInt(request, "max_id");
    if (!since.ok()) return Error(400, std::string(since.status().message()));
    if (!max.ok()) return Error(400, std::string(max.status().message()));
    // Default 1000; values below 1 clamp to 1 (the 2020 backend).
    int64_t n = 1000;
    if (auto it = request.query.find("limit"); it != request.query.end()) {
      if (!absl::SimpleAtoi(it->second, &n)) return Error(400, "limit must be an integer");
    }
    return {200, store.List(n, *since, *max)};
  }
  if (absl::StartsWith(path, kInteractionsPrefix)) {
    std::optional<int64_t> id = PathId(path, sizeof(kInteractionsPrefix) - 1);
    if (!id.has_value() || !store.Contains(*id)) return Error(404, "article not found");
    if (auto user = request.query.find("user_id"); user != request.query.end()) {
      std::optional<json> doc = store.Interaction(user->second, *id);
      if (!doc.has_value()) return Error(404, "no interaction");
      return {200, *std::move(doc)};
    }
    std::vector<json> docs = store.InteractionsOfArticle(*id);
    if (docs.empty()) return Error(404, "no interaction");
    return {200, json(std::move(docs))};
  }
  if (absl::StartsWith(path, kArticlesPrefix)) {
    std::optional<int64_t> id = PathId(path, sizeof(kArticlesPrefix) - 1);
    std::optional<json> article = id.has_value() ? store.Get(*id) : std::nullopt;
    if (!article.has_value()) return Error(404, "article not found");
    return {200, *std::move(article)};
  }
  if (path == "/v1/user_assignments") {
    std::vector<std::string> users;
    {
      std::lock_guard<std::mutex> lock(mu);
      users = assignments.UsersOf(principal);
    }
    json out = json::array();
    for (const std::string& u : users) out.push_back(UserObject(u));
    return {200, out};
  }
  return Error(404, "not found");
}

}  // namespace recplat::renewal_sim
