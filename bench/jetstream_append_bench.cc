// Append throughput of the JetStream event log (R3, 3 local nats-server processes) against the
// local RocksDB log, in the same run, and the catch-up rate of a new replica copying the stream.
//
//   build/bench/jetstream_append_bench [--batches N] [--batch B] [--writers W] [--sync]
//
// Each writer thread appends N batches of B records of 100 bytes. Prints events/s for each log
// and their ratio; then starts a fresh replica over the stream and times its catch-up.
// Results: bench/RESULTS.md ("JetStream event log").
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/log/event_log.h"
#include "core/log/jetstream_event_log.h"
#include "core/log/mirrored_event_log.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/test_env.h"

namespace {

using recplat::log::EventLog;

struct Args {
  int batches = 500;
  int batch = 10;
  int writers = 8;
  bool sync = false;
};

// Events per second appending with args.writers threads into `log`; -1 when an append failed.
double Run(EventLog& log, const Args& args) {
  const std::string payload(100, 'x');
  std::atomic<int> failures{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int w = 0; w < args.writers; ++w) {
    threads.emplace_back([&] {
      std::vector<std::string> records(static_cast<size_t>(args.batch), payload);
      for (int i = 0; i < args.batches; ++i) {
        if (!log.Append(records).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (failures.load() > 0) return -1;
  return static_cast<double>(args.writers) * args.batches * args.batch / seconds;
}

std::unique_ptr<recplat::log::JetStreamEventLog> OpenJetStream(const std::filesystem::path& dir,
                                                               const std::vector<std::string>& urls,
                                                               bool sync) {
  std::filesystem::create_directories(dir);
  auto local =
      recplat::log::OpenRocksDbMirroredEventLog({.path = (dir / "log").string(), .sync = sync});
  if (!local.ok()) return nullptr;
  recplat::log::JetStreamOptions o;
  o.servers = urls;
  o.stream = "bench";
  o.replicas = 3;
  auto log = recplat::log::JetStreamEventLog::Create(std::move(o), *std::move(local));
  return log.ok() ? *std::move(log) : nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--batches" && i + 1 < argc)
      args.batches = std::atoi(argv[++i]);
    else if (a == "--batch" && i + 1 < argc)
      args.batch = std::atoi(argv[++i]);
    else if (a == "--writers" && i + 1 < argc)
      args.writers = std::atoi(argv[++i]);
    else if (a == "--sync")
      args.sync = true;
    else {
      std::fprintf(stderr, "usage: %s [--batches N] [--batch B] [--writers W] [--sync]\n", argv[0]);
      return 2;
    }
  }
  recplat::testing::TempDir dir;
  auto rocks = recplat::log::OpenRocksDbEventLog(
      {.path = (dir.path() / "rocks").string(), .sync = args.sync});
  if (!rocks.ok()) return 1;
  const double local_rate = Run(**rocks, args);

  auto cluster = recplat::testing::NatsCluster::Start(3);
  if (!cluster.ok()) {
    std::fprintf(stderr, "nats cluster: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  auto js = OpenJetStream(dir.path() / "a", (*cluster)->Urls(), args.sync);
  if (js == nullptr) return 1;
  // The stream is created by the mirror thread: wait for the first append to go through.
  for (int i = 0; i < 200 && !js->Append({"warmup"}).ok(); ++i)
    absl::SleepFor(absl::Milliseconds(50));
  const double js_rate = Run(*js, args);
  const uint64_t total = js->NextOffset();

  const absl::Time start = absl::Now();
  auto fresh = OpenJetStream(dir.path() / "b", (*cluster)->Urls(), args.sync);
  if (fresh == nullptr) return 1;
  while (fresh->NextOffset() < total) absl::SleepFor(absl::Milliseconds(5));
  const double catchup = static_cast<double>(total) / absl::ToDoubleSeconds(absl::Now() - start);

  std::printf("writers=%d batches/writer=%d batch=%d record=100B sync=%s\n", args.writers,
              args.batches, args.batch, args.sync ? "always" : "none");
  std::printf("rocksdb log append:          %10.0f events/s\n", local_rate);
  std::printf("jetstream R3 log append:     %10.0f events/s  (%.3f x rocksdb)\n", js_rate,
              js_rate / local_rate);
  std::printf(
      "jetstream catch-up (new replica, %llu records): %10.0f events/s (%.3f x rocksdb append)\n",
      static_cast<unsigned long long>(total), catchup, catchup / local_rate);
  return 0;
}
