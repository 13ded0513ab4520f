// File: random.h
//
// Rng: a small, fast, seedable pseudo-random generator (SplitMix64 seeding a xoshiro256**).
// Components take a seed (or an Rng&) so tests are deterministic. Satisfies
// UniformRandomBitGenerator, so it works with <random> distributions and std::shuffle.
//
// Thread-safety: an Rng is not thread-safe; give each thread its own (see ThreadLocalRng).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

namespace recplat::common {

class Rng {
 public:
  using result_type = uint64_t;

  explicit Rng(uint64_t seed) { Seed(seed); }

  void Seed(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return std::numeric_limits<uint64_t>::max(); }

  uint64_t operator()() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) {
    // Lemire's multiply-shift; the tiny bias is irrelevant for recommendation sampling.
    __extension__ using U128 = unsigned __int128;
    return static_cast<uint64_t>((static_cast<U128>((*this)()) * n) >> 64);
  }

  // Uniform double in [0, 1).
  double UniformDouble() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// RngFactory: hands out independent generators from one seed, e.g. one per request. The n-th
// Make() seeds its Rng with a SplitMix64 hash of (seed, n), so the streams of successive calls
// do not overlap in practice. The same seed and call order give the same generators, which is
// what makes request-level randomness (random anchors, the `random` model) reproducible in tests.
//
// Thread-safety: Make() is thread-safe (one atomic increment); the Rngs it returns are not.
class RngFactory {
 public:
  explicit RngFactory(uint64_t seed) : seed_(seed) {}
  RngFactory(const RngFactory&) = delete;
  RngFactory& operator=(const RngFactory&) = delete;

  Rng Make();

 private:
  const uint64_t seed_;
  std::atomic<uint64_t> next_{0};
};

// A per-thread Rng seeded from `base_seed` and the thread, for hot paths that must not share one.
Rng& ThreadLocalRng();

}  // namespace recplat::common
