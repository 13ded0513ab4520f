// Unit tests of core/common/thread_priority: per-thread nice values on Linux.
#include "core/common/thread_priority.h"

#include <algorithm>
#include <thread>

#include "gtest/gtest.h"

namespace recplat::common {
namespace {

#if defined(__linux__)
// Lowering applies to the calling thread only, is inherited by the threads it then creates, and
// stops at 19.
TEST(ThreadPriorityTest, LowersOnlyTheCallingThreadAndItsChildren) {
  const int main_nice = CurrentThreadNice();
  int lowered = -100;
  int child = -100;
  int capped = -100;
  std::thread worker([&] {
    if (!LowerCurrentThreadPriority(3)) return;
    lowered = CurrentThreadNice();
    std::thread([&] { child = CurrentThreadNice(); }).join();
    LowerCurrentThreadPriority(100);
    capped = CurrentThreadNice();
  });
  worker.join();
  if (lowered == -100) GTEST_SKIP() << "the kernel refused setpriority";
  EXPECT_EQ(lowered, std::min(main_nice + 3, 19));
  EXPECT_EQ(child, lowered);
  EXPECT_EQ(capped, 19);
  EXPECT_EQ(CurrentThreadNice(), main_nice);
}
#endif

TEST(ThreadPriorityTest, NonPositiveIncrementChangesNothing) {
  const int before = CurrentThreadNice();
  EXPECT_FALSE(LowerCurrentThreadPriority(0));
  EXPECT_FALSE(LowerCurrentThreadPriority(-5));
  EXPECT_EQ(CurrentThreadNice(), before);
}

}  // namespace
}  // namespace recplat::common
