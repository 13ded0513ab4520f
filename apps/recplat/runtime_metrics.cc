#include "apps/recplat/runtime_metrics.h"

#include <sys/statvfs.h>

#include <utility>

#include "core/common/database_memory.h"

namespace recplat::app {
namespace {

prometheus::MetricFamily Gauge(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

void Add(prometheus::MetricFamily* family, std::vector<prometheus::ClientMetric::Label> labels,
         double value) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  family->metric.push_back(std::move(m));
}

}  // namespace

std::vector<prometheus::MetricFamily> ModelCollector::Collect() const {
  prometheus::MetricFamily version =
      Gauge("recplat_model_current_version",
            "Version of each trained model currently serving, by tenant and model (0: none)");
  prometheus::MetricFamily created =
      Gauge("recplat_model_created_timestamp_seconds",
            "When the version serving was trained (Unix seconds), by tenant and model");
  prometheus::MetricFamily quality = Gauge(
      "recplat_model_quality",
      "Quality figures of the version serving, measured at its training (e.g. metric=ndcg@20)");
  for (const std::string& tenant : registry_.Tenants()) {
    for (const std::string& model : registry_.ModelNames()) {
      const models::ModelFamily* f = registry_.FamilyOf(model);
      if (f == nullptr || !f->trainable()) continue;
      const int64_t serving = registry_.CurrentVersion(tenant, model);
      Add(&version, {{"model", model}, {"tenant", tenant}}, static_cast<double>(serving));
      if (serving == 0) continue;
      for (const v1::ModelVersion& v : registry_.List(tenant, model)) {
        if (v.version() != serving) continue;
        Add(&created, {{"model", model}, {"tenant", tenant}},
            static_cast<double>(v.created_at_ms()) / 1000.0);
        for (const auto& [metric, value] : v.metrics()) {
          Add(&quality, {{"metric", metric}, {"model", model}, {"tenant", tenant}}, value);
        }
        break;
      }
    }
  }
  return {std::move(version), std::move(created), std::move(quality)};
}

std::vector<prometheus::MetricFamily> LogLagCollector::Collect() const {
  // Read the applied offset first: the log only grows, so the difference is never negative
  // except for a record appended and applied between the two reads.
  const uint64_t applied = materializer_.AppliedOffset();
  const uint64_t next = log_.NextOffset();
  prometheus::MetricFamily lag = Gauge("recplat_materializer_lag_records",
                                       "Records appended to the event log and not yet applied");
  Add(&lag, {}, next > applied ? static_cast<double>(next - applied) : 0.0);
  return {std::move(lag)};
}

std::vector<prometheus::MetricFamily> DataDirCollector::Collect() const {
  struct statvfs fs;
  if (::statvfs(data_dir_.c_str(), &fs) != 0) return {};
  prometheus::MetricFamily avail =
      Gauge("recplat_data_dir_avail_bytes",
            "Bytes available to recplat on the filesystem of the data directory");
  prometheus::MetricFamily size =
      Gauge("recplat_data_dir_size_bytes", "Size of the filesystem of the data directory, bytes");
  Add(&avail, {}, static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
  Add(&size, {}, static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize));
  return {std::move(avail), std::move(size)};
}

namespace {

// `<memory_name>{kind}` and `<capacity_name>` of one RocksDB database (the state store's or
// the event log's), from its memory figures `m`.
std::vector<prometheus::MetricFamily> MemoryFamilies(std::string memory_name,
                                                    std::string memory_help,
                                                    std::string capacity_name,
                                                    std::string capacity_help,
                                                    const common::DatabaseMemory& m) {
  prometheus::MetricFamily bytes = Gauge(std::move(memory_name), std::move(memory_help));
  Add(&bytes, {{"kind", "memtables"}}, static_cast<double>(m.memtables));
  Add(&bytes, {{"kind", "table_readers"}}, static_cast<double>(m.table_readers));
  Add(&bytes, {{"kind", "block_cache"}}, static_cast<double>(m.block_cache));
  prometheus::MetricFamily capacity = Gauge(std::move(capacity_name), std::move(capacity_help));
  Add(&capacity, {}, static_cast<double>(m.block_cache_capacity));
  return {std::move(bytes), std::move(capacity)};
}

}  // namespace

std::vector<prometheus::MetricFamily> StateMemoryCollector::Collect() const {
  return MemoryFamilies(
      "recplat_state_memory_bytes",
      "Memory held by the state store's RocksDB database, bytes, by kind (the block cache "
      "includes the memtable reservation and the cached index and filter blocks)",
      "recplat_state_block_cache_capacity_bytes",
      "Capacity of the state store's block cache, bytes", state_.MemoryUsage());
}

std::vector<prometheus::MetricFamily> LogMemoryCollector::Collect() const {
  return MemoryFamilies("recplat_log_memory_bytes",
                        "Memory held by the event log's local RocksDB database, bytes, by kind",
                        "recplat_log_block_cache_capacity_bytes",
                        "Capacity of the event log's block cache, bytes", log_.MemoryUsage());
}

std::vector<prometheus::MetricFamily> ReadyCollector::Collect() const {
  prometheus::MetricFamily ready =
      Gauge("recplat_ready", "1 while the process is ready to serve (/readyz answers 200)");
  Add(&ready, {}, ready_() ? 1.0 : 0.0);
  return {std::move(ready)};
}

}  // namespace recplat::app
