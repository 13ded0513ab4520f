// File: fake_clock.h
//
// FakeClock: a Clock that moves only when told. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/common/clock.h"

namespace recplat::testing {

class FakeClock final : public common::Clock {
 public:
  explicit FakeClock(int64_t now_ms = 1'700'000'000'000) : now_us_(now_ms * 1000) {}

  int64_t NowMs() const override { return now_us_.load() / 1000; }
  int64_t NowMicros() const override { return now_us_.load(); }
  double MonotonicSeconds() const override { return static_cast<double>(now_us_.load()) / 1e6; }

  void AdvanceMs(int64_t ms) { now_us_.fetch_add(ms * 1000); }
  void SetMs(int64_t ms) { now_us_.store(ms * 1000); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace recplat::testing
