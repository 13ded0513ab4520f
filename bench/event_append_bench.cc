// Batched event append throughput: 1,000 events per batch through the EventLog and through the
// whole service (validation + serialisation + log), against raw RocksDB WriteBatch puts of the
// same records, measured in the same run with the same sync setting.
//
//   build/bench/event_append_bench --benchmark_counters_tabular=true
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "apps/recplat/runtime.h"
#include "core/common/logging.h"
#include "benchmark/benchmark.h"
#include "core/log/event_log.h"
#include "recplat/v1/log_record.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace {

constexpr int kBatch = 1000;

std::filesystem::path FreshDir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           absl::StrCat("recplat_bench_", name, "_", std::random_device()());
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

// The serialised LogRecords of one batch of realistic events.
std::vector<std::string> EventRecords(int batch_no) {
  std::vector<std::string> out;
  out.reserve(kBatch);
  recplat::v1::LogRecord r;
  for (int i = 0; i < kBatch; ++i) {
    r.Clear();
    r.set_appended_at_ms(1'700'000'000'000 + batch_no);
    auto* e = r.mutable_event();
    e->set_tenant("default");
    e->set_user_id(absl::StrCat("user-", (batch_no * 7919 + i) % 100000));
    e->set_session_id(absl::StrCat("session-", (batch_no * 31 + i) % 20000));
    e->set_item_id(absl::StrCat("item-", (i * 104729) % 100000));
    e->set_type("view");
    e->set_timestamp_ms(1'700'000'000'000 + batch_no * 1000 + i);
    out.push_back(r.SerializeAsString());
  }
  return out;
}

void BM_RawRocksDbPut(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  auto dir = FreshDir("raw");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir.string(), &raw).ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  auto records = EventRecords(0);
  uint64_t key = 0;
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (const auto& rec : records) {
      char k[8];
      uint64_t v = key++;
      for (int i = 7; i >= 0; --i, v >>= 8) k[i] = static_cast<char>(v & 0xff);
      batch.Put(rocksdb::Slice(k, 8), rec);
    }
    if (!db->Write(wo, &batch).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  db.reset();
  std::filesystem::remove_all(dir);
}

void BM_EventLogAppend(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  auto dir = FreshDir("log");
  auto log = recplat::log::OpenRocksDbEventLog({.path = dir.string(), .sync = sync});
  if (!log.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  auto records = EventRecords(0);
  for (auto _ : state) {
    if (!(*log)->Append(records).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  log->reset();
  std::filesystem::remove_all(dir);
}

// AppendEvents through the LocalService: validation, serialisation, log append; the
// materializer applies the events concurrently, as in production.
void BM_ServiceAppendEvents(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  auto dir = FreshDir("svc");
  recplat::config::Config cfg;
  cfg.data_dir = dir.string();
  cfg.log.sync = sync ? recplat::config::SyncPolicy::kAlways : recplat::config::SyncPolicy::kNone;
  cfg.models["random"].family = "random";
  cfg.surfaces["default"].retrieval = {"random"};
  cfg.api.require_known_items = false;
  cfg.training.enabled = false;
  recplat::common::InitLogging(recplat::common::LogLevel::kWarn, "text").IgnoreError();
  auto runtime = recplat::app::Runtime::Open({cfg, ""});
  if (!runtime.ok() || !(*runtime)->Start(false).ok()) {
    state.SkipWithError("runtime failed");
    return;
  }
  recplat::v1::AppendEventsRequest req;
  for (int i = 0; i < kBatch; ++i) {
    auto* e = req.add_events();
    e->set_user_id(absl::StrCat("user-", (i * 7919) % 100000));
    e->set_session_id(absl::StrCat("session-", i % 20000));
    e->set_item_id(absl::StrCat("item-", (i * 104729) % 1000));
    e->set_type("view");
  }
  for (auto _ : state) {
    if (!(*runtime)->service().AppendEvents(req).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  (*runtime)->Shutdown(absl::Seconds(5));
  runtime->reset();
  std::filesystem::remove_all(dir);
}

BENCHMARK(BM_RawRocksDbPut)->ArgName("sync")->Arg(1)->Arg(0)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_EventLogAppend)->ArgName("sync")->Arg(1)->Arg(0)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_ServiceAppendEvents)->ArgName("sync")->Arg(1)->Arg(0)->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
