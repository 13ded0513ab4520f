// File: runtime_metrics.h
//
// Metrics of a recplat process computed at scrape time (prometheus::Collectable), so they are
// right whoever changed the state they describe and never stale when nothing happens:
//   ModelCollector      the serving version of every trained (tenant, model), when it was
//                       trained, and the quality figures measured at its training;
//   LogLagCollector     records appended to the event log and not yet applied (the lag);
//   DataDirCollector    free and total bytes of the filesystem holding the data directory;
//   StateMemoryCollector  memory the state store's database holds (memtables, table readers,
//                       block cache);
//   LogMemoryCollector  the same for the event log's local database;
//   ReadyCollector      1 while the process answers /readyz with 200.
// Each object must outlive the exposer it is registered with (or expire first; the exposer
// holds it weakly).
//
// Thread-safety: Collect() may run concurrently with anything; the collected components are
// thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/ingest/materializer.h"
#include "core/log/event_log.h"
#include "core/registry/model_registry.h"
#include "core/state/state_store.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace recplat::app {

// recplat_model_current_version{tenant,model}, recplat_model_created_timestamp_seconds
// {tenant,model} and recplat_model_quality{tenant,model,metric}.
class ModelCollector final : public prometheus::Collectable {
 public:
  explicit ModelCollector(const registry::ModelRegistry& registry) : registry_(registry) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const registry::ModelRegistry& registry_;
};

// recplat_materializer_lag_records: log.NextOffset() - materializer.AppliedOffset().
class LogLagCollector final : public prometheus::Collectable {
 public:
  LogLagCollector(const log::EventLog& log, const ingest::Materializer& materializer)
      : log_(log), materializer_(materializer) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const log::EventLog& log_;
  const ingest::Materializer& materializer_;
};

// recplat_data_dir_avail_bytes and recplat_data_dir_size_bytes (statvfs of `data_dir`; left out
// when it cannot be read).
class DataDirCollector final : public prometheus::Collectable {
 public:
  explicit DataDirCollector(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string data_dir_;
};

// recplat_state_memory_bytes{kind=memtables|table_readers|block_cache} and
// recplat_state_block_cache_capacity_bytes (state::StateStore::MemoryUsage).
class StateMemoryCollector final : public prometheus::Collectable {
 public:
  explicit StateMemoryCollector(const state::StateStore& state) : state_(state) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const state::StateStore& state_;
};

// recplat_log_memory_bytes{kind=memtables|table_readers|block_cache} and
// recplat_log_block_cache_capacity_bytes (log::EventLog::MemoryUsage).
class LogMemoryCollector final : public prometheus::Collectable {
 public:
  explicit LogMemoryCollector(const log::EventLog& log) : log_(log) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const log::EventLog& log_;
};

// recplat_ready: 1 when `ready()` holds, else 0.
class ReadyCollector final : public prometheus::Collectable {
 public:
  explicit ReadyCollector(std::function<bool()> ready) : ready_(std::move(ready)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::function<bool()> ready_;
};

}  // namespace recplat::app
