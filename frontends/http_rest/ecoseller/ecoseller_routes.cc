#include "frontends/http_rest/ecoseller/ecoseller_routes.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "frontends/http_rest/ecoseller/dashboard.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/ecoseller/predictor.h"
#include "frontends/http_rest/ecoseller/shop_store.h"
#include "frontends/http_rest/http_message.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {
namespace {

using nlohmann::json;

HttpResponse JsonOf(const json& value) { return JsonResponse(value.dump()); }

}  // namespace

struct EcosellerFrontend::Impl {
  api::Api* api = nullptr;
  EcosellerOptions options;
  std::unique_ptr<ShopStore> shop;
  std::unique_ptr<Predictor> predictor;
  std::unique_ptr<Dashboard> dashboard;

  HttpResponse StoreOne(const HttpRequest& request) {
    absl::StatusOr<StoreObject> object = ParseStoreObjectBody(request.body, absl::Now());
    if (!object.ok()) return ErrorResponse(object.status());
    std::vector<StoreObject> batch;
    batch.push_back(std::move(*object));
    absl::Status stored = shop->Store(batch);
    return stored.ok() ? EmptyResponse() : ErrorResponse(stored);
  }

  HttpResponse StoreMany(const HttpRequest& request) {
    absl::StatusOr<std::vector<StoreObject>> objects = ParseStoreObjects(request.body, absl::Now());
    if (!objects.ok()) return ErrorResponse(objects.status());
    absl::Status stored = shop->Store(*objects);
    return stored.ok() ? EmptyResponse() : ErrorResponse(stored);
  }

  HttpResponse Predict(const HttpRequest& request) {
    absl::StatusOr<PredictRequest> parsed = ParsePredictRequest(request.body);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    absl::StatusOr<std::vector<PredictedItem>> items = predictor->Predict(*parsed);
    if (!items.ok()) return ErrorResponse(items.status());
    json out = json::array();
    for (const PredictedItem& item : *items) {
      json info = json::object();
      if (!item.model_name.empty()) {
        info["recommendation_type"] = parsed->recommendation_type;
        info["model_identifier"] = item.model_identifier;
        info["model_name"] = item.model_name;
        info["position"] = item.position;
      }
      out.push_back({{"product_variant_sku", item.sku}, {"rs_info", std::move(info)}});
    }
    return JsonOf(out);
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

  // The date_from/date_to query parameters of the dashboard pages.
  absl::Status DateRange(const HttpRequest& request, absl::Time* from, absl::Time* to) {
    *from = absl::UnixEpoch();
    *to = absl::Now();
    if (const std::string* v = request.Query("date_from"); v != nullptr && !v->empty()) {
      absl::StatusOr<absl::Time> t = ParseDashboardDate(*v, "date_from");
      if (!t.ok()) return t.status();
      *from = *t;
    }
    if (const std::string* v = request.Query("date_to"); v != nullptr && !v->empty()) {
      absl::StatusOr<absl::Time> t = ParseDashboardDate(*v, "date_to");
      if (!t.ok()) return t.status();
      *to = *t;
    }
    if (*from > *to) return absl::InvalidArgumentError("date_from: must not be after date_to");
    return absl::OkStatus();
  }

  HttpResponse Page(const HttpRequest& request, absl::string_view page) {
    absl::StatusOr<json> out;
    if (page == "configuration") {
      out = dashboard->Configuration();
    } else {
      absl::Time from, to;
      if (absl::Status s = DateRange(request, &from, &to); !s.ok()) return ErrorResponse(s);
      out = page == "performance" ? dashboard->Performance(from, to)
                                  : dashboard->Training(from, to);
    }
    return out.ok() ? JsonOf(*out) : ErrorResponse(out.status());
  }
};

EcosellerFrontend::EcosellerFrontend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcosellerFrontend::~EcosellerFrontend() = default;

absl::StatusOr<std::unique_ptr<EcosellerFrontend>> EcosellerFrontend::Create(
    api::Api* api, EcosellerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = options;
  ShopStoreOptions shop_options;
  shop_options.tenant = options.tenant;
  absl::StatusOr<std::unique_ptr<ShopStore>> shop = ShopStore::Open(api, shop_options);
  if (!shop.ok()) return shop.status();
  impl->shop = std::move(*shop);
  PredictorOptions predictor_options;
  predictor_options.tenant = options.tenant;
  predictor_options.cache_size = options.cache_size;
  predictor_options.cache_ttl = options.cache_ttl;
  impl->predictor = std::make_unique<Predictor>(api, impl->shop.get(), predictor_options);
  impl->dashboard = std::make_unique<Dashboard>(
      MakeDashboardSource(impl->shop.get(), api, options.tenant));
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
  for (const Route& route : routes) {
    if (absl::Status added = router->Add(route.method, route.path, route.handler); !added.ok()) {
      return added;
    }
  }
  return absl::OkStatus();
}

}  // namespace recplat::http::ecoseller
