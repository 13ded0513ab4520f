// File: config.h
//
// The typed configuration of recplat: one Config struct read once at start-up from built-in
// defaults, then the profile YAML, then RECPLAT_* environment variables, then --set key=value
// flags (config_loader.h). Every field has its default here; docs/configuration.md lists them.
//
// Components receive their own sub-struct by value. Nothing here reads files or the
// environment. Every struct compares field by field (operator==), e.g. to tell whether a
// reloaded config differs; frontend sections compare by their bound values.
//
// The core's config knows no frontend: each frontend declares its own section
// (core/common/config_section.h), held here type-erased in `sections`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/config_section.h"

namespace recplat::config {

// TLS of a listener (docs/operations.md, "Access control and TLS"): on when `cert_file` is
// set. The files are read at start-up; a file that cannot be read, or a certificate and key that
// do not match, stop it.
struct ListenerTlsConfig {
  // PEM certificate chain of the server, its own certificate first.
  std::string cert_file;
  // PEM private key of that certificate, unencrypted.
  std::string key_file;
  // PEM CA certificates; when set, every client must present a certificate that chains to one
  // of them (mutual TLS), or the handshake fails.
  std::string client_ca_file;

  friend bool operator==(const ListenerTlsConfig&, const ListenerTlsConfig&) = default;
};

// The metrics listener (GET /metrics). `listen` is "host:port"; port 0 picks a free port (see
// --ports-file).
struct MetricsListenConfig {
  std::string listen;
  // False turns the listener off.
  bool enabled = true;
  ListenerTlsConfig tls{};
  // Bearer tokens a scrape must send (Prometheus `authorization: {credentials_file: ...}`),
  // read like auth.* keys (a file and/or an environment variable, one token per line); none:
  // the listener is open.
  std::string bearer_token_file{};
  std::string bearer_token_env{};

  friend bool operator==(const MetricsListenConfig&, const MetricsListenConfig&) = default;
};

// The gRPC listener.
struct GrpcListenConfig {
  std::string listen;
  // False turns the gRPC listener off.
  bool enabled = true;
  ListenerTlsConfig tls{};

  friend bool operator==(const GrpcListenConfig&, const GrpcListenConfig&) = default;
};

// The HTTP listener: its socket and limits. /healthz and /readyz are always served; the
// frontends that mount on it (`frontends:`) add their routes.
struct HttpConfig {
  std::string listen;
  // False turns the HTTP listener off.
  bool enabled = true;
  // Worker threads serving connections.
  int32_t threads = 2;
  // Largest request body accepted; larger ones get 413.
  int64_t max_body_bytes = 8 << 20;
  // Time allowed to receive the request headers, then the body; longer gets 408 and a close.
  double header_timeout_seconds = 10;
  double read_timeout_seconds = 30;
  // An idle keep-alive connection is closed after this long.
  double idle_timeout_seconds = 60;
  ListenerTlsConfig tls{};

  friend bool operator==(const HttpConfig&, const HttpConfig&) = default;
};

// What a process runs (docs/configuration.md, "Roles").
enum class Role {
  // One process: the core (log, state, registry, engine, training; gRPC, metrics) and the
  // selected frontends.
  kAll,
  // The core with gRPC, metrics and the HTTP listener (health and native routes only).
  kCore,
  // The selected frontends and metrics only, over the gRPC API of the core at `core.address`;
  // no data directory is opened.
  kFrontend,
};

// TLS from a role `frontend` process to its core.
struct CoreTlsConfig {
  // Speak TLS to the core.
  bool enabled = false;
  // PEM CA certificates trusted for the core's certificate; empty: the system's roots.
  std::string ca_file;
  // PEM client certificate chain and its key, for a core that requires one (both or neither).
  std::string cert_file;
  std::string key_file;
  // The name checked in the core's certificate instead of the host of `core.address`.
  std::string server_name;

  friend bool operator==(const CoreTlsConfig&, const CoreTlsConfig&) = default;
};

// How a role `frontend` process reaches its core.
struct CoreConnectionConfig {
  // host:port of the core's gRPC listener; required for role `frontend`.
  std::string address;
  // Deadline of each call to the core.
  double timeout_seconds = 30;
  // The API key sent to the core (its first key), from a file and/or an environment variable
  // (named here; the key itself is never in the configuration).
  std::string api_key_file;
  std::string api_key_env;
  CoreTlsConfig tls{};

  friend bool operator==(const CoreConnectionConfig&, const CoreConnectionConfig&) = default;
};

// API keys of the HTTP and gRPC listeners (core/api/api_keys.h): files holding keys, one per
// line, and/or names of environment variables holding them. The keys never appear in the
// configuration itself. No keys: every operation is open.
struct AuthConfig {
  // Keys of the user level (reads, writes, recommendations).
  std::string api_key_file;
  std::string api_key_env;
  // Keys of the admin level (train, promote, deletes, served lists, stats, config).
  std::string admin_key_file;
  std::string admin_key_env;

  friend bool operator==(const AuthConfig&, const AuthConfig&) = default;
};

struct LoggingConfig {
  // trace, debug, info, warn, error or off.
  std::string level = "info";
  // text or json (one JSON object per line).
  std::string format = "text";

  friend bool operator==(const LoggingConfig&, const LoggingConfig&) = default;
};

// How the event log makes an append durable before acknowledging it.
enum class SyncPolicy {
  // fsync the write-ahead log on every append call (survives power loss).
  kAlways,
  // Write to the OS before acknowledging, without fsync (survives a process crash or kill -9,
  // not a power loss).
  kNone,
};

struct EventLogConfig {
  // rocksdb: the log is <data_dir>/log, this process's own. jetstream: the log of record is a
  // NATS JetStream stream (`nats`), copied into <data_dir>/log by every replica
  // (docs/operations.md, "Running a cluster on NATS JetStream").
  std::string backend = "rocksdb";
  SyncPolicy sync = SyncPolicy::kAlways;
  // Records applied to the state per materializer batch.
  int32_t apply_batch = 1000;

  friend bool operator==(const EventLogConfig&, const EventLogConfig&) = default;
};

// TLS to the NATS servers: on when `ca_file` (or a client certificate) is set.
struct NatsTlsConfig {
  // PEM CA certificates trusted for the servers' certificates.
  std::string ca_file;
  // PEM client certificate chain and its key, for servers that require one (both or neither).
  std::string cert_file;
  std::string key_file;

  friend bool operator==(const NatsTlsConfig&, const NatsTlsConfig&) = default;
};

// The NATS JetStream cluster of `log.backend: jetstream`.
struct NatsConfig {
  // nats:// or tls:// URLs of the cluster's servers; required with log.backend jetstream.
  std::vector<std::string> servers;
  // The stream holding the log; created when missing.
  std::string stream = "recplat";
  // The subject appends are published to; empty: "<stream>.log".
  std::string subject;
  // Replicas of the stream when this process creates it (an existing stream keeps its own).
  int32_t replicas = 3;
  // NATS credentials file (JWT and NKey seed); empty: none.
  std::string credentials_file;
  NatsTlsConfig tls;
  // Timeout of one connection attempt to one server, ms.
  int32_t connect_timeout_ms = 2000;
  // How long an append waits for the stream's acknowledgement, then for this replica's copy, ms.
  int32_t ack_timeout_ms = 5000;
  // /readyz answers 503 while this replica's copy is more than this many stream messages behind.
  int64_t max_ready_lag = 1000;
  // The JetStream key-value bucket of the training lease (created when missing, history 1,
  // `replicas`); empty: "<stream>-leases".
  std::string lease_bucket;

  friend bool operator==(const NatsConfig&, const NatsConfig&) = default;
};

struct StateConfig {
  // Half-life of the per-item event counters, hours (0 disables decay).
  double counter_half_life_hours = 168.0;
  // RocksDB block cache shared by the state store, MiB.
  int64_t block_cache_mb = 128;
  // Table files the state store keeps open (RocksDB max_open_files): the bound of its file
  // descriptors; more are reopened on demand.
  int32_t max_open_files = 512;
  // Served lists (the engine's monitoring records, ScanServed) older than this many days are
  // deleted; 0 keeps them forever.
  int32_t served_lists_days = 30;

  friend bool operator==(const StateConfig&, const StateConfig&) = default;
};

struct ApiConfig {
  // Largest batch accepted by UpsertItems/UpsertUsers/AppendEvents/DeleteItems.
  int32_t max_batch = 10000;
  // Largest gRPC message accepted, bytes; larger ones fail with RESOURCE_EXHAUSTED.
  int64_t max_message_bytes = 64 << 20;
  // Events must name items that exist in the catalog (NOT_FOUND otherwise). When false, unknown
  // items are created on the fly (available, published at the event time).
  bool require_known_items = true;
  // Tenant used when a request leaves it empty.
  std::string default_tenant = "default";
  // Users and sessions whose latest write the profile frontends remember, to give their next
  // read that write (api::ReadYourWritesApi); 0 turns it off.
  int64_t read_your_writes_keys = 100000;

  friend bool operator==(const ApiConfig&, const ApiConfig&) = default;
};

// One event type and its weight in popularity-like models.
struct EventTypeConfig {
  double weight = 1.0;
  // Whether events of this type are part of a user's or session's history as models see it
  // (RecommendContext::user_history / session_items). False for exposure events such as
  // "recommended": not a sign of interest, yet still an item the user has seen, so they keep
  // feeding the exclude_seen filter.
  bool history = true;
  // Whether every event of this type is kept whole (context included) in time order, for the
  // online evaluation of served recommendations (Api::EvaluateServed reads the clicks there).
  bool record = false;

  friend bool operator==(const EventTypeConfig&, const EventTypeConfig&) = default;
};

// A data gate of a tenant: it holds when the tenant has applied more than `per_item` x (live
// items) events of `event_type` (e.g. ecoseller's "popularity needs more orders than variants":
// {event_type: order, per_item: 1}). An empty event_type is no gate (always holds).
struct GateConfig {
  std::string event_type;
  double per_item = 0.0;

  friend bool operator==(const GateConfig&, const GateConfig&) = default;
};

// When a model is trained automatically.
struct TrainTriggerConfig {
  // Train after this many new events of the tenant were applied (0 = never by count).
  int64_t every_events = 0;
  // Train every this many seconds (0 = no schedule).
  double every_seconds = 0;
  // Train at start-up when the model has no current version.
  bool on_start = true;
  // Event types `every_events` counts; empty counts every type.
  std::vector<std::string> event_types;
  // Train after this many catalog writes of the tenant were applied (item upserts and deletes,
  // shop entities); 0 = never by catalog writes.
  int64_t every_item_writes = 0;
  // No automatic training (triggers, schedule, start-up) while this gate does not hold;
  // explicit Train calls are not gated.
  GateConfig gate;

  friend bool operator==(const TrainTriggerConfig&, const TrainTriggerConfig&) = default;
};

// One named model: a family, its hyper-parameters and its training policy.
struct ModelConfig {
  // Family name: random, popularity, recent, item_knn (more come from trainers/). Defaults to
  // the model's own name.
  std::string family;
  // Hyper-parameters, family-specific (see docs/models.md).
  std::map<std::string, std::string> params;
  TrainTriggerConfig train;
  // The model is not ready to serve (cascades move on) while this gate does not hold.
  GateConfig serve_gate;
  // What a request must carry for this model to serve it (cascades move on otherwise):
  // `user` a user id, `session` a session with history, `anchor` a known anchor item.
  std::vector<std::string> serve_requires;
  // Promote a freshly trained version to current automatically.
  bool auto_promote = true;
  // Versions kept on disk per model (older non-current ones are deleted); >= 1.
  int32_t keep_versions = 5;

  friend bool operator==(const ModelConfig&, const ModelConfig&) = default;
};

struct FilterConfig {
  // Drop items the user (or session) already interacted with.
  bool exclude_seen = true;
  // Only interactions of these event types count as seen for exclude_seen; empty: every type.
  // (EOSC drops the services a user accessed, not the ones they clicked.)
  std::vector<std::string> exclude_seen_types;
  // Drop items already recommended to this user by an earlier (non dry-run) request.
  bool exclude_recommended = false;
  // Drop unavailable and deleted items.
  bool exclude_unavailable = true;

  friend bool operator==(const FilterConfig&, const FilterConfig&) = default;
};

struct DiversityConfig {
  // none; category: greedy re-rank that avoids repeating an item's first category within
  // `window` consecutive positions when another candidate within `max_lookahead` allows it;
  // model: the re-rank of the model named by `model` (Model::Diversify, e.g. by content
  // distance), skipped while that model has no trained version.
  std::string method = "none";
  // The model of method `model`.
  std::string model;
  int32_t window = 3;
  int32_t max_lookahead = 50;
  // Only the top `ordering_size` items are re-ranked.
  int32_t ordering_size = 50;

  friend bool operator==(const DiversityConfig&, const DiversityConfig&) = default;
};

// The engine's response cache of a surface: an answer is reused for the same request (every
// field but dry_run) while the models it would use keep their versions, for at most
// `ttl_seconds`; a promotion drops the cache. Not allowed with filters.exclude_recommended
// (every call must then give a fresh list).
struct ResponseCacheConfig {
  // Entries kept (LRU); 0 turns the cache off.
  int32_t size = 0;
  double ttl_seconds = 60;

  friend bool operator==(const ResponseCacheConfig&, const ResponseCacheConfig&) = default;
};

// Where recommendations are shown, and how they are made there.
struct SurfaceConfig {
  // Retrieval cascade: the first ready model yields candidates. `random` is appended when
  // missing, so a cascade always ends in a ready model.
  std::vector<std::string> retrieval = {"popularity"};
  // Scoring cascade: the first ready model ranks the candidates; empty keeps retrieval scores.
  std::vector<std::string> scoring;
  // Similar-items cascade used by SimilarItems.
  std::vector<std::string> similar;
  FilterConfig filters;
  DiversityConfig diversity;
  // Candidates retrieved before scoring.
  int32_t candidates = 200;
  // Largest k a request may ask for.
  int32_t max_k = 1000;
  // Most recent interactions of the user handed to models (and used by exclude_seen).
  int32_t history_length = 200;
  // Multiply scores by the items' recommendation_weight.
  bool apply_item_weight = false;
  // The ordering stages after scoring, in order: `diversity` (the `diversity` section) and
  // `available_first` (available items before unavailable ones, stable; for surfaces that keep
  // unavailable items, e.g. out-of-stock variants listed last).
  std::vector<std::string> ordering = {"diversity"};
  ResponseCacheConfig cache;

  friend bool operator==(const SurfaceConfig&, const SurfaceConfig&) = default;
};

// Catalog retention, per tenant: applied in log order by every process that applies the log.
struct CatalogConfig {
  // Live items kept; when an upsert makes more, the lowest ranked by `retention_order` are
  // deleted, and an item ranking below every kept one is not added while the catalog is full.
  // 0 keeps everything.
  int64_t max_items = 0;
  // id_numeric: the item id read as an integer (non-numeric ids rank lowest);
  // published_at: the item's publication time.
  std::string retention_order = "id_numeric";
  // Items published more than this many hours before the newest item are deleted; 0 = never.
  double max_age_hours = 0;

  friend bool operator==(const CatalogConfig&, const CatalogConfig&) = default;
};

struct TrainingConfig {
  // Background training worker on (false: only `recplat train` and Train with wait trains).
  bool enabled = true;
  // Seconds between checks of schedules.
  double tick_seconds = 1.0;
  // log.backend jetstream: how long a replica's training lease lasts without renewal (it is
  // renewed every third of it while training); a replica that dies frees it after this.
  double lease_seconds = 30.0;

  friend bool operator==(const TrainingConfig&, const TrainingConfig&) = default;
};

// The bucket of `registry.store: s3`. Credentials come from the standard AWS variables and
// files (core/common/s3/aws_credentials.h), never from the config.
struct RegistryS3Config {
  // http(s)://host[:port] of the S3-compatible store.
  std::string endpoint;
  std::string bucket;
  // Key prefix of the registry's layout in the bucket.
  std::string prefix = "models/";
  // Empty: AWS_REGION, AWS_DEFAULT_REGION, the AWS config file, else us-east-1.
  std::string region;
  // Path-style (endpoint/bucket/key, what custom endpoints need) or virtual-hosted addressing.
  bool path_style = true;

  friend bool operator==(const RegistryS3Config&, const RegistryS3Config&) = default;
};

// The model registry (<data_dir>/models).
struct RegistryConfig {
  // Seconds between polls of the registry's store for versions that another process (e.g.
  // `recplat train` while this server runs, another replica) published and promoted; the
  // version named current is loaded and swapped in. 0 turns polling off.
  double poll_seconds = 2.0;
  // Where versions are shared: "local" (<data_dir>/models is the store) or "s3" (the bucket of
  // `s3`; <data_dir>/models is this process's working copy).
  std::string store = "local";
  RegistryS3Config s3;

  friend bool operator==(const RegistryConfig&, const RegistryConfig&) = default;
};

struct Config {
  // Name of the profile (default, renewal, ecoseller, eosc, article_rec).
  std::string profile = "default";
  Role role = Role::kAll;
  // Directory of all state: event log, state store, model artifacts. Not used by role
  // `frontend`.
  std::string data_dir = "./data";
  CoreConnectionConfig core;

  GrpcListenConfig grpc{"127.0.0.1:50051"};
  HttpConfig http{"127.0.0.1:8080"};
  MetricsListenConfig metrics{"127.0.0.1:9464"};

  // The frontends this process runs, in start order: names registered with the loader
  // (frontend_registry.h), e.g. `native` (the JSON mirror of the internal API on the HTTP
  // listener), `ecoseller`, `renewal`.
  std::vector<std::string> frontends = {"native"};
  // The section of every registered frontend that has one, by frontend name (whether selected
  // or not), holding the frontend's own type: read it with Section<T>(name).
  std::map<std::string, common::SectionValue, std::less<>> sections;

  AuthConfig auth;
  LoggingConfig logging;
  EventLogConfig log;
  NatsConfig nats;
  StateConfig state;
  ApiConfig api;
  CatalogConfig catalog;
  TrainingConfig training;
  RegistryConfig registry;

  // Event types accepted by AppendEvents and their weights.
  std::map<std::string, EventTypeConfig> event_types = {
      {"view", {1.0}}, {"click", {2.0}}, {"cart", {4.0}}, {"order", {8.0}}, {"rating", {1.0}}};
  // Named models. `random` is always available and need not be listed.
  std::map<std::string, ModelConfig> models;
  // Named surfaces. A surface `default` exists unless the profile defines others.
  std::map<std::string, SurfaceConfig> surfaces;

  // The section of frontend `name` as its type T, or null when there is none (or of another
  // type). Valid while this config lives and its sections are not replaced.
  template <typename T>
  const T* Section(std::string_view name) const {
    const auto it = sections.find(name);
    return it == sections.end() ? nullptr : dynamic_cast<const T*>(it->second.get());
  }

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace recplat::config
