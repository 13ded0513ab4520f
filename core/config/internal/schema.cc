#include "core/config/internal/schema.h"

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/config/internal/fields.h"
#include "core/config/internal/sections.h"

namespace recplat::config::internal {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One Bind() per struct: its fields in declaration order, with key names and constraints.
// docs/configuration.md describes the same keys; config_test checks that it lists them all.
void Bind(Visitor& v, ListenerTlsConfig& c);
void Bind(Visitor& v, MetricsListenConfig& c);
void Bind(Visitor& v, GrpcListenConfig& c);
void Bind(Visitor& v, HttpConfig& c);
void Bind(Visitor& v, CoreTlsConfig& c);
void Bind(Visitor& v, CoreConnectionConfig& c);
void Bind(Visitor& v, AuthConfig& c);
void Bind(Visitor& v, LoggingConfig& c);
void Bind(Visitor& v, EventLogConfig& c);
void Bind(Visitor& v, NatsTlsConfig& c);
void Bind(Visitor& v, NatsConfig& c);
void Bind(Visitor& v, StateConfig& c);
void Bind(Visitor& v, ApiConfig& c);
void Bind(Visitor& v, TrainingConfig& c);
void Bind(Visitor& v, RegistryS3Config& c);
void Bind(Visitor& v, RegistryConfig& c);
void Bind(Visitor& v, EventTypeConfig& c);
void Bind(Visitor& v, GateConfig& c);
void Bind(Visitor& v, TrainTriggerConfig& c);
void Bind(Visitor& v, ResponseCacheConfig& c);
void Bind(Visitor& v, CatalogConfig& c);
void Bind(Visitor& v, ModelConfig& c);
void Bind(Visitor& v, FilterConfig& c);
void Bind(Visitor& v, DiversityConfig& c);
void Bind(Visitor& v, SurfaceConfig& c);

// A view of struct `s`; `short_form` as in StructRef.
template <typename S>
StructRef Ref(S& s, const char* short_form = nullptr) {
  return StructRef{[&s](Visitor& v) { Bind(v, s); }, short_form};
}

void Bind(Visitor& v, ListenerTlsConfig& c) {
  v.Scalar("cert_file", StringRef(c.cert_file, AnyText()));
  v.Scalar("key_file", StringRef(c.key_file, AnyText()));
  v.Scalar("client_ca_file", StringRef(c.client_ca_file, AnyText()));
}

void Bind(Visitor& v, MetricsListenConfig& c) {
  v.Scalar("listen", StringRef(c.listen, ListenAddress()));
  v.Scalar("enabled", BoolRef(c.enabled));
  v.Struct("tls", Ref(c.tls));
  v.Scalar("bearer_token_file", StringRef(c.bearer_token_file, AnyText()));
  v.Scalar("bearer_token_env", StringRef(c.bearer_token_env, OptionalEnvName()));
}

void Bind(Visitor& v, GrpcListenConfig& c) {
  v.Scalar("listen", StringRef(c.listen, ListenAddress()));
  v.Scalar("enabled", BoolRef(c.enabled));
  v.Struct("tls", Ref(c.tls));
}

void Bind(Visitor& v, HttpConfig& c) {
  v.Scalar("listen", StringRef(c.listen, ListenAddress()));
  v.Scalar("enabled", BoolRef(c.enabled));
  v.Scalar("threads", IntRef(c.threads, 1, 256));
  v.Scalar("max_body_bytes", IntRef(c.max_body_bytes, 1, int64_t{1} << 32));
  v.Scalar("header_timeout_seconds", DoubleRef(c.header_timeout_seconds, 0, 3600, true));
  v.Scalar("read_timeout_seconds", DoubleRef(c.read_timeout_seconds, 0, 3600, true));
  v.Scalar("idle_timeout_seconds", DoubleRef(c.idle_timeout_seconds, 0, 86400, true));
  v.Struct("tls", Ref(c.tls));
}

void Bind(Visitor& v, CoreTlsConfig& c) {
  v.Scalar("enabled", BoolRef(c.enabled));
  v.Scalar("ca_file", StringRef(c.ca_file, AnyText()));
  v.Scalar("cert_file", StringRef(c.cert_file, AnyText()));
  v.Scalar("key_file", StringRef(c.key_file, AnyText()));
  v.Scalar("server_name", StringRef(c.server_name, AnyText()));
}

void Bind(Visitor& v, CoreConnectionConfig& c) {
  v.Scalar("address", StringRef(c.address, OptionalAddress()));
  v.Scalar("timeout_seconds", DoubleRef(c.timeout_seconds, 0, 86400, /*min_exclusive=*/true));
  v.Scalar("api_key_file", StringRef(c.api_key_file, AnyText()));
  v.Scalar("api_key_env", StringRef(c.api_key_env, OptionalEnvName()));
  v.Struct("tls", Ref(c.tls));
}

void Bind(Visitor& v, AuthConfig& c) {
  v.Scalar("api_key_file", StringRef(c.api_key_file, AnyText()));
  v.Scalar("api_key_env", StringRef(c.api_key_env, OptionalEnvName()));
  v.Scalar("admin_key_file", StringRef(c.admin_key_file, AnyText()));
  v.Scalar("admin_key_env", StringRef(c.admin_key_env, OptionalEnvName()));
}

void Bind(Visitor& v, LoggingConfig& c) {
  v.Scalar("level", StringRef(c.level, OneOf({"trace", "debug", "info", "warn", "error", "off"})));
  v.Scalar("format", StringRef(c.format, OneOf({"text", "json"})));
}

void Bind(Visitor& v, EventLogConfig& c) {
  v.Scalar("backend", StringRef(c.backend, OneOf({"rocksdb", "jetstream"})));
  v.Scalar("sync", SyncPolicyRef(c.sync));
  v.Scalar("apply_batch", IntRef(c.apply_batch, 1, kInt32Max));
}

void Bind(Visitor& v, NatsTlsConfig& c) {
  v.Scalar("ca_file", StringRef(c.ca_file, AnyText()));
  v.Scalar("cert_file", StringRef(c.cert_file, AnyText()));
  v.Scalar("key_file", StringRef(c.key_file, AnyText()));
}

void Bind(Visitor& v, NatsConfig& c) {
  v.List("servers", c.servers, NatsUrl());
  v.Scalar("stream", StringRef(c.stream, NatsStreamName()));
  v.Scalar("subject", StringRef(c.subject, NatsSubject()));
  v.Scalar("replicas", IntRef(c.replicas, 1, 5));
  v.Scalar("credentials_file", StringRef(c.credentials_file, AnyText()));
  v.Struct("tls", Ref(c.tls));
  v.Scalar("connect_timeout_ms", IntRef(c.connect_timeout_ms, 1, 600000));
  v.Scalar("ack_timeout_ms", IntRef(c.ack_timeout_ms, 1, 600000));
  v.Scalar("max_ready_lag", IntRef(c.max_ready_lag, 0, kInt64Max));
  v.Scalar("lease_bucket", StringRef(c.lease_bucket, NatsBucketName()));
}

void Bind(Visitor& v, StateConfig& c) {
  v.Scalar("counter_half_life_hours", DoubleRef(c.counter_half_life_hours, 0, kInf));
  // MiB are shifted into bytes by the state store: 1 TiB keeps that far from overflow.
  v.Scalar("block_cache_mb", IntRef(c.block_cache_mb, 0, int64_t{1} << 20));
  v.Scalar("max_open_files", IntRef(c.max_open_files, 20, 1000000));
  v.Scalar("served_lists_days", IntRef(c.served_lists_days, 0, 36500));
}

void Bind(Visitor& v, ApiConfig& c) {
  v.Scalar("max_batch", IntRef(c.max_batch, 1, 1000000));
  // gRPC takes the message limit as an int.
  v.Scalar("max_message_bytes", IntRef(c.max_message_bytes, 1, kInt32Max));
  v.Scalar("require_known_items", BoolRef(c.require_known_items));
  v.Scalar("default_tenant", StringRef(c.default_tenant, NonEmptyText()));
  v.Scalar("read_your_writes_keys", IntRef(c.read_your_writes_keys, 0, 100000000));
}

void Bind(Visitor& v, TrainingConfig& c) {
  v.Scalar("enabled", BoolRef(c.enabled));
  v.Scalar("tick_seconds", DoubleRef(c.tick_seconds, 0, 86400, /*min_exclusive=*/true));
  v.Scalar("lease_seconds", DoubleRef(c.lease_seconds, 0.3, 86400));
}

void Bind(Visitor& v, RegistryS3Config& c) {
  v.Scalar("endpoint", StringRef(c.endpoint, AnyText()));
  v.Scalar("bucket", StringRef(c.bucket, AnyText()));
  v.Scalar("prefix", StringRef(c.prefix, AnyText()));
  v.Scalar("region", StringRef(c.region, AnyText()));
  v.Scalar("path_style", BoolRef(c.path_style));
}

void Bind(Visitor& v, RegistryConfig& c) {
  v.Scalar("poll_seconds", DoubleRef(c.poll_seconds, 0, 86400));
  v.Scalar("store", StringRef(c.store, OneOf({"local", "s3"})));
  v.Struct("s3", Ref(c.s3));
}

void Bind(Visitor& v, EventTypeConfig& c) {
  v.Scalar("weight", DoubleRef(c.weight, 0, kInf));
  v.Scalar("history", BoolRef(c.history));
  v.Scalar("record", BoolRef(c.record));
}

void Bind(Visitor& v, GateConfig& c) {
  v.Scalar("event_type", StringRef(c.event_type, AnyText()));
  v.Scalar("per_item", DoubleRef(c.per_item, 0, kInf));
}

void Bind(Visitor& v, TrainTriggerConfig& c) {
  v.Scalar("every_events", IntRef(c.every_events, 0, kInt64Max));
  v.Scalar("every_seconds", DoubleRef(c.every_seconds, 0, kInf));
  v.Scalar("on_start", BoolRef(c.on_start));
  v.List("event_types", c.event_types, EventTypeName());
  v.Scalar("every_item_writes", IntRef(c.every_item_writes, 0, kInt64Max));
  v.Struct("gate", Ref(c.gate));
}

void Bind(Visitor& v, ResponseCacheConfig& c) {
  v.Scalar("size", IntRef(c.size, 0, 10000000));
  v.Scalar("ttl_seconds", DoubleRef(c.ttl_seconds, 0, 86400, /*min_exclusive=*/true));
}

void Bind(Visitor& v, CatalogConfig& c) {
  v.Scalar("max_items", IntRef(c.max_items, 0, kInt64Max));
  v.Scalar("retention_order", StringRef(c.retention_order, OneOf({"id_numeric", "published_at"})));
  v.Scalar("max_age_hours", DoubleRef(c.max_age_hours, 0, kInf));
}

void Bind(Visitor& v, ModelConfig& c) {
  v.Scalar("family", StringRef(c.family, AnyText()));
  v.TextMap("params", c.params);
  v.Struct("train", Ref(c.train));
  v.Struct("serve_gate", Ref(c.serve_gate));
  v.List("serve_requires", c.serve_requires, OneOf({"user", "session", "anchor"}));
  v.Scalar("auto_promote", BoolRef(c.auto_promote));
  v.Scalar("keep_versions", IntRef(c.keep_versions, 1, kInt32Max));
}

void Bind(Visitor& v, FilterConfig& c) {
  v.Scalar("exclude_seen", BoolRef(c.exclude_seen));
  v.List("exclude_seen_types", c.exclude_seen_types, EventTypeName());
  v.Scalar("exclude_recommended", BoolRef(c.exclude_recommended));
  v.Scalar("exclude_unavailable", BoolRef(c.exclude_unavailable));
}

void Bind(Visitor& v, DiversityConfig& c) {
  v.Scalar("method", StringRef(c.method, OneOf({"none", "category", "model"})));
  v.Scalar("model", StringRef(c.model, AnyText()));
  v.Scalar("window", IntRef(c.window, 1, kInt32Max));
  v.Scalar("max_lookahead", IntRef(c.max_lookahead, 0, kInt32Max));
  v.Scalar("ordering_size", IntRef(c.ordering_size, 0, kInt32Max));
}

void Bind(Visitor& v, SurfaceConfig& c) {
  v.List("retrieval", c.retrieval, ModelName());
  v.List("scoring", c.scoring, ModelName());
  v.List("similar", c.similar, ModelName());
  v.Struct("filters", Ref(c.filters));
  v.Struct("diversity", Ref(c.diversity));
  v.Scalar("candidates", IntRef(c.candidates, 1, kInt32Max));
  v.Scalar("max_k", IntRef(c.max_k, 1, kInt32Max));
  v.Scalar("history_length", IntRef(c.history_length, 1, kInt32Max));
  v.Scalar("apply_item_weight", BoolRef(c.apply_item_weight));
  v.List("ordering", c.ordering, OneOf({"diversity", "available_first"}));
  v.Struct("cache", Ref(c.cache));
}

template <typename S>
class StructMapRefImpl final : public StructMapRef {
 public:
  explicit StructMapRefImpl(std::map<std::string, S>& map) : map_(map) {}

  std::vector<std::string> Names() const override {
    std::vector<std::string> names;
    names.reserve(map_.size());
    for (const auto& entry : map_) {
      names.push_back(entry.first);
    }
    return names;
  }
  StructRef Entry(const std::string& name) const override { return Ref(map_[name]); }
  void Clear() const override { map_.clear(); }
  void WithPrototype(const std::function<void(const StructRef&)>& fn) const override {
    S prototype;
    fn(Ref(prototype));
  }

 private:
  std::map<std::string, S>& map_;
};

// The top level; `frontends` as in BindConfig.
void BindTop(Visitor& v, Config& c, const FrontendRegistry* frontends) {
  v.Scalar("profile", StringRef(c.profile, AnyText()));
  v.Scalar("role", RoleRef(c.role));
  v.Scalar("data_dir", StringRef(c.data_dir, NonEmptyText()));
  v.Struct("core", Ref(c.core));
  v.Struct("grpc", Ref(c.grpc, "listen"));
  v.Struct("http", Ref(c.http, "listen"));
  v.Struct("metrics", Ref(c.metrics, "listen"));
  v.List("frontends", c.frontends,
         frontends == nullptr ? FrontendName() : OneOf(frontends->Names()));
  v.Struct("auth", Ref(c.auth));
  v.Struct("logging", Ref(c.logging));
  v.Struct("log", Ref(c.log));
  v.Struct("nats", Ref(c.nats));
  v.Struct("state", Ref(c.state));
  v.Struct("api", Ref(c.api));
  v.Struct("catalog", Ref(c.catalog));
  v.Struct("training", Ref(c.training));
  v.Struct("registry", Ref(c.registry));
  v.StructMap("event_types", StructMapRefImpl<EventTypeConfig>(c.event_types), EventTypeName());
  v.StructMap("models", StructMapRefImpl<ModelConfig>(c.models), ModelName());
  v.StructMap("surfaces", StructMapRefImpl<SurfaceConfig>(c.surfaces), ModelName());
  for (auto& [name, section] : c.sections) {
    if (section.get() != nullptr) {
      v.Struct(name.c_str(), BindSection(*section.get()));
    }
  }
}

}  // namespace

StructRef BindConfig(Config& config, const FrontendRegistry* frontends) {
  return StructRef{[&config, frontends](Visitor& v) { BindTop(v, config, frontends); }};
}

}  // namespace recplat::config::internal
