// FillConfigDefaults and ValidateConfig (declared in config_loader.h).
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"
#include "core/config/config_loader.h"
#include "core/config/internal/schema.h"
#include "core/config/internal/text.h"
#include "core/config/internal/visitor.h"

namespace recplat::config {
namespace {

using internal::KeyError;

constexpr absl::string_view kSource = "config";

ModelConfig DefaultModel(const std::string& family, int64_t every_events, double every_seconds) {
  ModelConfig model;
  model.family = family;
  model.train.every_events = every_events;
  model.train.every_seconds = every_seconds;
  return model;
}

// Checks every field's own constraint; keeps the first error.
class Validator final : public internal::Visitor {
 public:
  Validator(std::string prefix, absl::Status& status)
      : prefix_(std::move(prefix)), status_(status) {}

  void Scalar(const char* key, const internal::ScalarRef& field) override {
    if (!status_.ok()) {
      return;
    }
    const std::string value = field.Get();
    if (!internal::IsValidUtf8(value)) {
      status_ = KeyError(kSource, Path(key), "value is not valid UTF-8");
    } else if (!field.Valid()) {
      status_ =
          KeyError(kSource, Path(key),
                   absl::StrCat("expected ", field.Expected(), "; got ",
                                internal::QuoteValue(value, field.Secret())));
    }
  }
  void List(const char* key, std::vector<std::string>& items,
            const internal::TextRule& rule) override {
    for (size_t i = 0; i < items.size() && status_.ok(); ++i) {
      if (!rule.Accepts(items[i])) {
        status_ =
            KeyError(kSource, absl::StrCat(Path(key), "[", i, "]"),
                     absl::StrCat("expected ", rule.expected, "; got ", internal::Quote(items[i])));
      }
    }
  }
  void TextMap(const char* key, std::map<std::string, std::string>& entries) override {
    for (const auto& [name, value] : entries) {
      if (status_.ok() && (!internal::IsValidUtf8(name) || !internal::IsValidUtf8(value))) {
        status_ = KeyError(kSource, Path(key), "text is not valid UTF-8");
      }
    }
  }
  void Struct(const char* key, const internal::StructRef& fields) override {
    Validator child(Path(key), status_);
    fields.bind(child);
  }
  void StructMap(const char* key, const internal::StructMapRef& entries,
                 const internal::TextRule& rule) override {
    for (const std::string& name : entries.Names()) {
      if (!status_.ok()) {
        return;
      }
      const std::string path = internal::JoinPath(Path(key), name);
      if (!rule.Accepts(name)) {
        status_ = KeyError(kSource, path, absl::StrCat("invalid name: expected ", rule.expected));
        return;
      }
      Validator child(path, status_);
      entries.Entry(name).bind(child);
    }
  }

 private:
  std::string Path(const char* key) const { return internal::JoinPath(prefix_, key); }

  std::string prefix_;
  absl::Status& status_;
};

absl::Status CheckCascade(const Config& config, const std::string& surface, const char* cascade,
                          const std::vector<std::string>& models) {
  std::vector<std::string> configured;
  for (const auto& entry : config.models) {
    configured.push_back(entry.first);
  }
  for (const std::string& model : models) {
    if (!config.models.contains(model)) {
      return KeyError(
          kSource, absl::StrCat("surfaces.", surface, ".", cascade),
          absl::StrCat("surface '", surface, "' ", cascade, " cascade names unknown model '", model,
                       "'", internal::Suggest(model, configured),
                       " (configured models: ", absl::StrJoin(configured, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

// A gate must name a configured event type (or none).
absl::Status CheckGate(const Config& config, const std::string& key, const GateConfig& gate) {
  if (gate.event_type.empty() || config.event_types.contains(gate.event_type)) {
    return absl::OkStatus();
  }
  std::vector<std::string> types;
  for (const auto& entry : config.event_types) types.push_back(entry.first);
  return KeyError(kSource, absl::StrCat(key, ".event_type"),
                  absl::StrCat("unknown event type '", gate.event_type, "'",
                               internal::Suggest(gate.event_type, types),
                               " (configured: ", absl::StrJoin(types, ", "), ")"));
}

// A listener's TLS files come as a certificate and its key, and client CAs only with them.
absl::Status CheckListenerTls(const std::string& listener, const ListenerTlsConfig& tls) {
  const std::string key = absl::StrCat(listener, ".tls");
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    return KeyError(kSource, absl::StrCat(key, ".key_file"),
                    absl::StrCat("a TLS key needs its certificate: set ", key, ".cert_file too"));
  }
  if (!tls.cert_file.empty() && tls.key_file.empty()) {
    return KeyError(kSource, absl::StrCat(key, ".cert_file"),
                    absl::StrCat("a TLS certificate needs its private key: set ", key,
                                 ".key_file too"));
  }
  if (!tls.client_ca_file.empty() && tls.cert_file.empty()) {
    return KeyError(kSource, absl::StrCat(key, ".client_ca_file"),
                    absl::StrCat("client certificates are checked over TLS only: set ", key,
                                 ".cert_file and ", key, ".key_file too"));
  }
  return absl::OkStatus();
}

absl::Status CheckCoreTls(const CoreTlsConfig& tls) {
  if (!tls.enabled) {
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string*>{"ca_file", &tls.ca_file},
          {"cert_file", &tls.cert_file},
          {"key_file", &tls.key_file},
          {"server_name", &tls.server_name}}) {
      if (!value->empty()) {
        return KeyError(kSource, absl::StrCat("core.tls.", name),
                        "set while core.tls.enabled is false: set core.tls.enabled: true to "
                        "speak TLS to the core");
      }
    }
    return absl::OkStatus();
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return KeyError(kSource, tls.cert_file.empty() ? "core.tls.key_file" : "core.tls.cert_file",
                    "a client certificate and its key go together: set core.tls.cert_file and "
                    "core.tls.key_file");
  }
  return absl::OkStatus();
}

// The NATS keys of log.backend jetstream.
absl::Status CheckNats(const Config& config) {
  const NatsConfig& nats = config.nats;
  if (config.log.backend == "jetstream" && nats.servers.empty()) {
    return KeyError(kSource, "nats.servers",
                    "required when log.backend is 'jetstream' (the NATS servers' URLs, e.g. "
                    "[nats://10.0.0.1:4222, nats://10.0.0.2:4222])");
  }
  if (nats.tls.cert_file.empty() != nats.tls.key_file.empty()) {
    return KeyError(kSource,
                    nats.tls.cert_file.empty() ? "nats.tls.key_file" : "nats.tls.cert_file",
                    "a client certificate and its key go together: set nats.tls.cert_file and "
                    "nats.tls.key_file");
  }
  if (nats.subject == nats.stream + ".promotions") {
    return KeyError(kSource, "nats.subject",
                    "'<stream>.promotions' is where replicas announce promotions; the log needs "
                    "another subject");
  }
  return absl::OkStatus();
}

}  // namespace

void FillConfigDefaults(Config& config) {
  if (config.models.empty()) {
    config.models["popularity"] = DefaultModel("popularity", 1000, 60);
    config.models["recent"] = DefaultModel("recent", 0, 0);
    config.models["item_knn"] = DefaultModel("item_knn", 5000, 300);
  }
  if (!config.models.contains("random")) {
    config.models["random"] = DefaultModel("random", 0, 0);
  }
  for (auto& [name, model] : config.models) {
    if (model.family.empty()) {
      model.family = name;
    }
  }
  if (config.surfaces.empty()) {
    SurfaceConfig surface;
    surface.retrieval = {"item_knn", "popularity"};
    surface.scoring = {};
    surface.similar = {"item_knn"};
    config.surfaces["default"] = surface;
  }
  for (auto& [name, surface] : config.surfaces) {
    if (std::find(surface.retrieval.begin(), surface.retrieval.end(), "random") ==
        surface.retrieval.end()) {
      surface.retrieval.push_back("random");
    }
  }
}

absl::Status ValidateConfig(const Config& config) {
  // The binding takes a mutable struct; validation only reads the copy.
  Config copy = config;
  absl::Status status;
  Validator validator("", status);
  internal::BindConfig(copy).bind(validator);
  RECPLAT_RETURN_IF_ERROR(status);

  if (config.event_types.empty()) {
    return KeyError(kSource, "event_types", "expected at least one event type");
  }
  if (config.role == Role::kFrontend && config.core.address.empty()) {
    return KeyError(kSource, "core.address",
                    "required when role is 'frontend' (the core's gRPC address, host:port)");
  }
  RECPLAT_RETURN_IF_ERROR(CheckListenerTls("http", config.http.tls));
  RECPLAT_RETURN_IF_ERROR(CheckListenerTls("grpc", config.grpc.tls));
  RECPLAT_RETURN_IF_ERROR(CheckListenerTls("metrics", config.metrics.tls));
  RECPLAT_RETURN_IF_ERROR(CheckCoreTls(config.core.tls));
  RECPLAT_RETURN_IF_ERROR(CheckNats(config));
  for (size_t i = 0; i < config.frontends.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (config.frontends[i] == config.frontends[j]) {
        return KeyError(kSource, absl::StrCat("frontends[", i, "]"),
                        absl::StrCat("frontend '", config.frontends[i], "' is listed twice"));
      }
    }
  }
  for (const auto& [name, section] : config.sections) {
    if (section.get() == nullptr) continue;
    if (absl::Status valid = section.get()->Validate(); !valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kSource, ": section '", name, "': ", valid.message()));
    }
  }
  for (const auto& [name, surface] : config.surfaces) {
    RECPLAT_RETURN_IF_ERROR(CheckCascade(config, name, "retrieval", surface.retrieval));
    RECPLAT_RETURN_IF_ERROR(CheckCascade(config, name, "scoring", surface.scoring));
    RECPLAT_RETURN_IF_ERROR(CheckCascade(config, name, "similar", surface.similar));
    if (surface.diversity.method == "model") {
      if (surface.diversity.model.empty()) {
        return KeyError(kSource, absl::StrCat("surfaces.", name, ".diversity.model"),
                        "required when diversity.method is 'model'");
      }
      RECPLAT_RETURN_IF_ERROR(
          CheckCascade(config, name, "diversity.model", {surface.diversity.model}));
    }
    for (const std::string& type : surface.filters.exclude_seen_types) {
      RECPLAT_RETURN_IF_ERROR(CheckGate(
          config, absl::StrCat("surfaces.", name, ".filters.exclude_seen_types"),
          GateConfig{type, 0}));
    }
    if (surface.cache.size > 0 && surface.filters.exclude_recommended) {
      return KeyError(kSource, absl::StrCat("surfaces.", name, ".cache.size"),
                      "a response cache cannot serve a surface with "
                      "filters.exclude_recommended (every call must give a fresh list)");
    }
  }
  for (const auto& [name, model] : config.models) {
    const std::string key = absl::StrCat("models.", name);
    RECPLAT_RETURN_IF_ERROR(CheckGate(config, absl::StrCat(key, ".serve_gate"), model.serve_gate));
    RECPLAT_RETURN_IF_ERROR(CheckGate(config, absl::StrCat(key, ".train.gate"), model.train.gate));
    for (const std::string& type : model.train.event_types) {
      RECPLAT_RETURN_IF_ERROR(CheckGate(config, absl::StrCat(key, ".train.event_types"),
                                        GateConfig{type, 0}));
    }
  }
  return absl::OkStatus();
}

}  // namespace recplat::config
