#include "core/common/random.h"

#include <atomic>
#include <chrono>

namespace recplat::common {

Rng& ThreadLocalRng() {
  static std::atomic<uint64_t> counter{
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  thread_local Rng rng(counter.fetch_add(0x632be59bd9b4e019ULL));
  return rng;
}

}  // namespace recplat::common
