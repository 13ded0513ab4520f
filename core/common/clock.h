// File: clock.h
//
// Clock: the injected source of wall time. Production code takes a `Clock&` (never calls
// std::chrono::system_clock directly) so tests can use a FakeClock (tests/fakes/fake_clock.h).
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace recplat::common {

class Clock {
 public:
  virtual ~Clock() = default;

  // Wall time, Unix epoch milliseconds.
  virtual int64_t NowMs() const = 0;

  // Wall time, Unix epoch microseconds.
  virtual int64_t NowMicros() const = 0;

  // Monotonic time for measuring durations, seconds from an arbitrary origin.
  virtual double MonotonicSeconds() const = 0;

  // The process-wide real clock. Used only where components are wired (main, tools).
  static Clock& Default();
};

// The real clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t NowMicros() const override;
  double MonotonicSeconds() const override;
};

}  // namespace recplat::common
