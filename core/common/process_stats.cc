#include "core/common/process_stats.h"

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace recplat::common {
namespace {

int64_t ReadStatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t key_len = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, key_len, key) == 0) {
      return std::strtoll(line.c_str() + key_len, nullptr, 10);
    }
  }
  return 0;
}

}  // namespace

int64_t CurrentRssBytes() { return ReadStatusKb("VmRSS:") * 1024; }

int64_t PeakRssBytes() { return ReadStatusKb("VmHWM:") * 1024; }

void ResetPeakRss() {
  if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

int64_t TotalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<int64_t>(pages) * page_size;
}

HeapStats CurrentHeap() {
  HeapStats h;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = ::mallinfo2();
  h.in_use = static_cast<int64_t>(m.uordblks);
  h.free = static_cast<int64_t>(m.fordblks);
  h.mmapped = static_cast<int64_t>(m.hblkhd);
#endif
  return h;
}

void ReleaseFreeHeap() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

}  // namespace recplat::common
