#include "core/common/random.h"

#include <atomic>
#include <chrono>

namespace recplat::common {

namespace {

// SplitMix64's output function: a bijective 64-bit mix.
uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng RngFactory::Make() {
  const uint64_t n = next_.fetch_add(1, std::memory_order_relaxed);
  return Rng(Mix64(seed_ + (n + 1) * 0x9e3779b97f4a7c15ULL));
}

Rng& ThreadLocalRng() {
  static std::atomic<uint64_t> counter{
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  thread_local Rng rng(counter.fetch_add(0x632be59bd9b4e019ULL));
  return rng;
}

}  // namespace recplat::common
