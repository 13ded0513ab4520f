#include "frontends/http_rest/eosc/eosc_routes.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/api/status_mapping.h"
#include "core/api/validation.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/common/utf8.h"
#include "frontends/http_rest/eosc/eosc_codec.h"
#include "frontends/http_rest/eosc/eosc_import.h"
#include "frontends/http_rest/eosc/eosc_pages.h"
#include "frontends/http_rest/eosc/eosc_schema.h"
#include "frontends/http_rest/http_message.h"
#include "frontends/http_rest/json_fields.h"
#include "nlohmann/json.hpp"

namespace recplat::http::eosc {
namespace {

using nlohmann::json;

constexpr int kMaxJsonDepth = 64;

HttpResponse JsonOf(const json& value, int status = 200) {
  return JsonResponse(value.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

// flask-restx's answer to a payload that fails its schema.
HttpResponse SchemaErrorResponse(const SchemaErrors& errors) {
  json e = json::object();
  for (const auto& [field, message] : errors) e[field] = message;
  return JsonOf(json{{"errors", e}, {"message", "Input payload validation failed"}}, 400);
}

// Flask's answer to a body that is not JSON, and the shape of every other error.
HttpResponse MessageResponse(int status, absl::string_view message) {
  return JsonOf(json{{"message", message}}, status);
}
HttpResponse StatusResponse(const absl::Status& status) {
  return MessageResponse(api::HttpStatusFor(status.code()), api::ClientMessage(status));
}

// The JSON body, or the error response to send.
std::variant<json, HttpResponse> ParseBody(const HttpRequest& request) {
  absl::StatusOr<json> parsed =
      json_fields::ParseJsonText(request.body, request.body.size() + 1, kMaxJsonDepth);
  if (!parsed.ok()) {
    return MessageResponse(400,
                           "The browser (or proxy) sent a request that this server could not "
                           "understand.");
  }
  return *std::move(parsed);
}

}  // namespace

struct EoscFrontend::Impl {
  api::Api* api = nullptr;
  EoscOptions options;
  std::unique_ptr<DumpImporter> importer;
  // Null without a databus. Declared last among the workers: destroyed first, so that its
  // I/O thread (which calls StoreUserActionText) stops before the rest goes.
  std::unique_ptr<EoscDatabus> databus;

  // The known user a request names by user_id or aai_uid, or "" (anonymous). `record`, when
  // given, receives the user's record of the last dump (the users document's body; "" when
  // anonymous).
  absl::StatusOr<std::string> KnownUser(const std::optional<int64_t>& user_id,
                                        const std::optional<std::string>& aai_uid,
                                        std::string* record = nullptr) {
    auto user_document = [&](const std::string& id) -> absl::StatusOr<bool> {
      v1::GetDocumentsRequest get;
      get.set_tenant(options.tenant);
      get.set_collection(kUsersCollection);
      get.add_keys(id);
      RECPLAT_ASSIGN_OR_RETURN(v1::GetDocumentsResponse got, api->GetDocuments(get));
      if (got.documents_size() == 0) return false;
      if (record != nullptr) *record = got.documents(0).body();
      return true;
    };
    if (user_id.has_value()) {
      const std::string id = absl::StrCat(*user_id);
      RECPLAT_ASSIGN_OR_RETURN(bool known, user_document(id));
      if (known) return id;
    }
    if (aai_uid.has_value() && !aai_uid->empty() && aai_uid->size() <= 512) {
      v1::GetDocumentsRequest get;
      get.set_tenant(options.tenant);
      get.set_collection(kAaiCollection);
      get.add_keys(*aai_uid);
      RECPLAT_ASSIGN_OR_RETURN(v1::GetDocumentsResponse got, api->GetDocuments(get));
      if (got.documents_size() > 0) {
        const std::string id = got.documents(0).body();
        if (record != nullptr) RECPLAT_RETURN_IF_ERROR(user_document(id).status());
        return id;
      }
    }
    return std::string();
  }

  HttpResponse Recommendations(const HttpRequest& request) {
    auto body = ParseBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return *error;
    SchemaErrors errors;
    RecommendationContext ctx = ParseRecommendationContext(std::get<json>(body), &errors);
    std::string panel;
    const int k = errors.empty() ? PanelK(ctx.panel_id, &panel) : 0;
    if (errors.empty() && k == 0) {
      errors["panel_id"] = absl::StrCat("'", ctx.panel_id, "' is not one of ['v1', 'v2']");
    }
    if (!errors.empty()) return SchemaErrorResponse(errors);
    std::string record;
    absl::StatusOr<std::string> user = KnownUser(ctx.user_id, ctx.aai_uid, &record);
    if (!user.ok()) return StatusResponse(user.status());
    const bool ranking = IsRankingEngine(ctx.engine_version);

    v1::RecommendRequest rec;
    rec.set_tenant(options.tenant);
    rec.set_surface(options.surface);
    rec.set_user_id(*user);
    // A ranking answers every candidate: as many as the surface allows.
    rec.set_k(ranking ? api::Limits::kMaxCandidates : k);
    rec.set_min_k(ranking ? 0 : k);
    if (ctx.candidates.has_value() && !ctx.candidates->empty()) {
      for (int64_t id : *ctx.candidates) rec.add_candidate_item_ids(absl::StrCat(id));
    } else {
      *rec.mutable_query() = SearchQuery(ctx.search_data);
    }
    if (user->empty()) {
      rec.add_scoring_models(options.random_engine);
    } else {
      for (std::string& e :
           EngineChain(ctx.engine_version, options.default_engine, options.engines)) {
        rec.add_scoring_models(std::move(e));
      }
    }
    // The services the last dump lists as the user's (the original's `accessed_services`);
    // a service a later dump no longer lists is a candidate again.
    for (int64_t id : AccessedServices(record)) rec.add_exclude_item_ids(absl::StrCat(id));
    rec.set_skip_unconfigured_models(true);
    // Recorded with the served list: a user action whose source is this visit and whose root
    // is this panel is feedback on this list (the RL agent's journeys).
    auto& context = *rec.mutable_context();
    context["panel_id"] = panel;
    if (!ctx.visit_id.empty()) context["visit_id"] = common::TruncateUtf8(ctx.visit_id, 256);
    if (!ctx.page_id.empty()) context["page_id"] = common::TruncateUtf8(ctx.page_id, 256);
    absl::StatusOr<v1::RecommendResponse> got = api->Recommend(rec);
    if (!got.ok()) return StatusResponse(got.status());
    // Fewer candidates than the panel shows: the original's InsufficientRecommendationSpace.
    if (got->items_size() < k) return JsonOf(json{{"recommendations", json::array()}});
    if (!ranking) got->mutable_items()->DeleteSubrange(k, got->items_size() - k);
    json answer = EncodeRecommendations(ctx, panel, *got, options.random_engine, ranking);
    // The 2024 original publishes what it answered the Marketplace.
    if (databus != nullptr && ctx.client_id == "marketplace") {
      databus->PublishRecommendation(std::get<json>(body), answer);
    }
    return JsonOf(answer);
  }

  // Decodes, validates and stores one user action (POST /user_actions and the databus).
  // INVALID_ARGUMENT with `errors` filled for a schema violation.
  absl::Status StoreUserAction(const json& value, SchemaErrors* errors) {
    UserAction action = ParseUserAction(value, errors);
    if (!errors->empty()) return absl::InvalidArgumentError("Input payload validation failed");
    absl::StatusOr<std::string> user = KnownUser(action.user_id, action.aai_uid);
    if (!user.ok()) return user.status();
    const int64_t now = options.clock->NowMs();
    absl::Status s =
        api->Write(EncodeUserAction(action, value, *user, options.tenant, now, true)).status();
    if (absl::IsNotFound(s)) {
      // The root names a service the catalogue does not have: keep the journey only.
      s = api->Write(EncodeUserAction(action, value, *user, options.tenant, now, false)).status();
    }
    return s;
  }

  HttpResponse UserActions(const HttpRequest& request) {
    auto body = ParseBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return *error;
    SchemaErrors errors;
    absl::Status s = StoreUserAction(std::get<json>(body), &errors);
    if (!errors.empty()) return SchemaErrorResponse(errors);
    if (!s.ok()) return StatusResponse(s);
    return EmptyResponse(204);
  }

  // The databus sink: a message body as POST /user_actions would get it.
  absl::Status StoreUserActionText(const std::string& text) {
    absl::StatusOr<json> value = json_fields::ParseJsonText(text, text.size() + 1, kMaxJsonDepth);
    if (!value.ok()) return absl::InvalidArgumentError("the message body is not JSON");
    SchemaErrors errors;
    absl::Status s = StoreUserAction(*value, &errors);
    if (errors.empty()) return s;
    std::string why;
    for (const auto& [field, message] : errors) {
      absl::StrAppend(&why, why.empty() ? "" : "; ", field, ": ", message);
    }
    return absl::InvalidArgumentError(why);
  }

  HttpResponse Dumps(const HttpRequest& request, bool train) {
    auto body = ParseBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return *error;
    SchemaErrors errors;
    Dump dump = ParseDump(std::get<json>(body), &errors);
    if (!errors.empty()) return SchemaErrorResponse(errors);
    importer->Enqueue(std::move(dump), train);
    return EmptyResponse(204);
  }

  HttpResponse Training() {
    importer->QueueTraining();
    return JsonResponse("null");
  }

  HttpResponse Health() {
    std::optional<json> bus;
    if (databus != nullptr) bus = databus->HealthNode();
    return JsonOf(HealthTree(*api, options.tenant, options.engines, options.random_engine, bus));
  }
};

EoscFrontend::EoscFrontend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EoscFrontend::~EoscFrontend() {
  // The databus first: its I/O thread stores user actions through the rest.
  if (impl_ != nullptr) impl_->databus.reset();
}

absl::StatusOr<std::unique_ptr<EoscFrontend>> EoscFrontend::Create(api::Api* api,
                                                                   EoscOptions options) {
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant("default", &options.tenant, "eosc.tenant"));
  if (options.clock == nullptr) options.clock = &common::Clock::Default();
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = options;
  impl->importer =
      std::make_unique<DumpImporter>(api, options.clock, options.tenant, options.train_models);
  if (options.databus.has_value()) {
    Impl* raw = impl.get();
    RECPLAT_ASSIGN_OR_RETURN(impl->databus,
                             EoscDatabus::Start(*options.databus, [raw](const std::string& text) {
                               return raw->StoreUserActionText(text);
                             }));
  }
  return std::unique_ptr<EoscFrontend>(new EoscFrontend(std::move(impl)));
}

void EoscFrontend::WaitForImportsForTest() { impl_->importer->WaitIdle(); }

absl::Status EoscFrontend::AddRoutes(Router* router) {
  Impl* s = impl_.get();
  struct Route {
    const char* method;
    const char* path;
    Handler handler;
  };
  const Route routes[] = {
      {"GET", "/", [](const HttpRequest&) { return RootPage(); }},
      {"GET", "/swagger.json", [](const HttpRequest&) { return SwaggerResponse(); }},
      {"GET", "/health", [s](const HttpRequest&) { return s->Health(); }},
      {"POST", "/recommendations", [s](const HttpRequest& r) { return s->Recommendations(r); }},
      {"POST", "/user_actions", [s](const HttpRequest& r) { return s->UserActions(r); }},
      {"POST", "/database_dumps", [s](const HttpRequest& r) { return s->Dumps(r, false); }},
      {"POST", "/update", [s](const HttpRequest& r) { return s->Dumps(r, true); }},
      {"GET", "/training", [s](const HttpRequest&) { return s->Training(); }},
  };
  for (const Route& r : routes) {
    RECPLAT_RETURN_IF_ERROR(router->Add(r.method, r.path, r.handler, api::Access::kOpen));
  }
  return absl::OkStatus();
}

}  // namespace recplat::http::eosc
