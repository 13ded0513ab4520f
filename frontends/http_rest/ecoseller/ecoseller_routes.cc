#include "frontends/http_rest/ecoseller/ecoseller_routes.h"

#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/api/validation.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/dashboard.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/ecoseller/predictor.h"
#include "frontends/http_rest/ecoseller/shop_reads.h"
#include "frontends/http_rest/ecoseller/store_codec.h"
#include "frontends/http_rest/http_message.h"
#include "frontends/http_rest/time_params.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {
namespace {

using nlohmann::json;

HttpResponse JsonOf(const json& value) { return JsonResponse(value.dump()); }

}  // namespace

struct EcosellerFrontend::Impl {
  api::Api* api = nullptr;
  EcosellerOptions options;
  std::unique_ptr<ShopReads> reads;
  std::unique_ptr<Predictor> predictor;
  std::unique_ptr<Dashboard> dashboard;

  absl::Time Now() const { return absl::FromUnixMicros(options.clock->NowMicros()); }

  HttpResponse Store(const std::vector<StoreObject>& objects) {
    absl::StatusOr<EncodedStore> encoded = EncodeStore(objects, options.tenant);
    if (!encoded.ok()) return ErrorResponse(encoded.status());
    if (encoded->write.ops_size() > 0) {
      // Answer once the events are applied, so a prediction that follows sees them.
      encoded->write.set_wait_applied(true);
      absl::StatusOr<v1::WriteResponse> written = api->Write(encoded->write);
      if (!written.ok()) {
        return ErrorResponse(api::RenameWriteOp(written.status(), encoded->op_paths));
      }
    }
    for (const std::string& model : encoded->train) {
      // A manual "train now" (TrainerQueueItem); a model the core does not configure is skipped.
      v1::TrainRequest train;
      train.set_tenant(options.tenant);
      train.set_model(model);
      if (absl::Status s = api->Train(train).status(); !s.ok() && !absl::IsNotFound(s)) {
        RECPLAT_LOG(Warn, "ecoseller: training request failed",
                    {{"model", model}, {"error", s.ToString()}});
      }
    }
    return EmptyResponse();
  }

  HttpResponse StoreOne(const HttpRequest& request) {
    absl::StatusOr<StoreObject> object = ParseStoreObjectBody(request.body, Now());
    if (!object.ok()) return ErrorResponse(object.status());
    return Store({*std::move(object)});
  }

  HttpResponse StoreMany(const HttpRequest& request) {
    absl::StatusOr<std::vector<StoreObject>> objects = ParseStoreObjects(request.body, Now());
    if (!objects.ok()) return ErrorResponse(objects.status());
    return Store(*objects);
  }

  HttpResponse Predict(const HttpRequest& request) {
    absl::StatusOr<PredictRequest> parsed = ParsePredictRequest(request.body);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    absl::StatusOr<std::vector<PredictedItem>> items = predictor->Predict(*parsed);
    if (!items.ok()) return ErrorResponse(items.status());
    return JsonResponse(EncodePredictions(*items, parsed->recommendation_type));
  }

  HttpResponse ProductPositions(const HttpRequest& request) {
    absl::StatusOr<PredictRequest> parsed = ParsePredictRequest(request.body);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    auto positions = predictor->ProductPositions(*parsed);
    if (!positions.ok()) return ErrorResponse(positions.status());
    json out = json::object();
    for (const auto& [product, position] : *positions) out[std::to_string(product)] = position;
    return JsonOf(out);
  }

  HttpResponse Page(const HttpRequest& request, absl::string_view page) {
    absl::StatusOr<json> out;
    if (page == "configuration") {
      out = dashboard->Configuration();
    } else {
      absl::StatusOr<TimeRange> range =
          ParseTimeRangeParams(request, "date_from", "date_to", absl::UnixEpoch(), Now());
      if (!range.ok()) return ErrorResponse(range.status());
      out = page == "performance" ? dashboard->Performance(range->from, range->to)
                                  : dashboard->Training(range->from, range->to);
    }
    return out.ok() ? JsonOf(*out) : ErrorResponse(out.status());
  }
};

EcosellerFrontend::EcosellerFrontend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcosellerFrontend::~EcosellerFrontend() = default;

absl::StatusOr<std::unique_ptr<EcosellerFrontend>> EcosellerFrontend::Create(
    api::Api* api, EcosellerOptions options) {
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant("default", &options.tenant, "ecoseller.tenant"));
  if (options.clock == nullptr) options.clock = &common::Clock::Default();
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = options;
  impl->reads = std::make_unique<ShopReads>(api, options.tenant);
  impl->predictor = std::make_unique<Predictor>(api, impl->reads.get());
  impl->dashboard = std::make_unique<Dashboard>(api, impl->reads.get());
  return std::unique_ptr<EcosellerFrontend>(new EcosellerFrontend(std::move(impl)));
}

absl::Status EcosellerFrontend::AddRoutes(Router* router) {
  Impl* s = impl_.get();
  struct Route {
    const char* method;
    const char* path;
    Handler handler;
  };
  const Route routes[] = {
      {"GET", "/", [](const HttpRequest&) { return EmptyResponse(); }},
      {"POST", "/store_object", [s](const HttpRequest& r) { return s->StoreOne(r); }},
      {"POST", "/store_objects", [s](const HttpRequest& r) { return s->StoreMany(r); }},
      {"POST", "/predict", [s](const HttpRequest& r) { return s->Predict(r); }},
      {"POST", "/predict/product_positions",
       [s](const HttpRequest& r) { return s->ProductPositions(r); }},
      {"GET", "/dashboard/configuration",
       [s](const HttpRequest& r) { return s->Page(r, "configuration"); }},
      {"GET", "/dashboard/performance",
       [s](const HttpRequest& r) { return s->Page(r, "performance"); }},
      {"GET", "/dashboard/training", [s](const HttpRequest& r) { return s->Page(r, "training"); }},
  };
  const api::Access access =
      s->options.require_api_key ? api::Access::kUser : api::Access::kOpen;
  for (const Route& route : routes) {
    // `GET /` is the original's health check: open like /healthz.
    const bool probe = std::string_view(route.path) == "/";
    const api::Access needs = probe ? api::Access::kOpen : access;
    if (absl::Status added = router->Add(route.method, route.path, route.handler, needs);
        !added.ok()) {
      return added;
    }
  }
  return absl::OkStatus();
}

}  // namespace recplat::http::ecoseller
