// File: process_metrics.h
//
// The standard process metrics of the Prometheus client libraries, read from Linux's /proc at
// scrape time, plus recplat's build and profile info series:
//   process_cpu_seconds_total        counter  user + system CPU time
//   process_resident_memory_bytes    gauge    resident set size (VmRSS)
//   process_virtual_memory_bytes     gauge    virtual memory size (VmSize)
//   process_open_fds                 gauge    open file descriptors
//   process_max_fds                  gauge    the descriptor limit (RLIMIT_NOFILE, soft)
//   process_start_time_seconds       gauge    start time, Unix seconds
//   process_threads                  gauge    threads of the process
//   recplat_heap_bytes{kind}         gauge    the C heap: in_use, free (kept by malloc),
//                                             mmapped (common::CurrentHeap; left out when
//                                             malloc is not glibc's)
//   recplat_build_info{version,build_type,compiler}   gauge 1
//   recplat_profile_info{profile,role}                gauge 1
// A figure that cannot be read (no /proc, unexpected format) is left out of the scrape rather
// than reported as 0.
//
// Thread-safety: Collect() may be called concurrently; the collectors keep no mutable state.
#pragma once

#include <string>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace recplat::metrics {

class ProcessCollector final : public prometheus::Collectable {
 public:
  // `proc_self` is the process's /proc directory (injected so tests read fixture files);
  // `proc_stat` the system-wide /proc/stat (for the boot time).
  explicit ProcessCollector(std::string proc_self = "/proc/self",
                            std::string proc_stat = "/proc/stat");

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string proc_self_;
  const std::string proc_stat_;
  const long ticks_per_second_;
  const double boot_time_seconds_;  // < 0 when /proc/stat has no btime
};

struct BuildInfo {
  std::string version;
  std::string build_type;
  std::string compiler;
};

struct ProfileInfo {
  std::string profile;
  std::string role;
};

// Exposes recplat_build_info and recplat_profile_info (constant series of value 1).
class InfoCollector final : public prometheus::Collectable {
 public:
  InfoCollector(BuildInfo build, ProfileInfo profile)
      : build_(std::move(build)), profile_(std::move(profile)) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const BuildInfo build_;
  const ProfileInfo profile_;
};

}  // namespace recplat::metrics
