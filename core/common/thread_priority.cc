#include "core/common/thread_priority.h"

#include <algorithm>
#include <cerrno>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace recplat::common {

int CurrentThreadNice() {
#if defined(__linux__)
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, tid);
  return errno == 0 ? nice : 0;
#else
  return 0;
#endif
}

bool LowerCurrentThreadPriority(int increment) {
#if defined(__linux__)
  if (increment <= 0) return false;
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  const int target = std::clamp(CurrentThreadNice() + increment, 0, 19);
  return setpriority(PRIO_PROCESS, tid, target) == 0;
#else
  (void)increment;
  return false;
#endif
}

}  // namespace recplat::common
