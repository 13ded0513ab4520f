// File: process_stats.h
//
// Resident-memory figures of the current process from /proc, for training statistics, and the
// C heap's figures (glibc). Linux only; on failure the functions return 0 / do nothing.
#pragma once

#include <cstdint>

namespace recplat::common {

// Current resident set size, bytes.
int64_t CurrentRssBytes();

// Peak resident set size since process start or the last ResetPeakRss(), bytes.
int64_t PeakRssBytes();

// Resets the kernel's peak-RSS mark (writes 5 to /proc/self/clear_refs), so PeakRssBytes()
// afterwards measures the peak of what follows. Process-wide: callers serialise measurements.
void ResetPeakRss();

// Total physical memory of the machine, bytes.
int64_t TotalMemoryBytes();

// The C heap (glibc malloc, every arena), bytes: what the program holds, what malloc keeps
// free for reuse (in the arenas' heaps; part of it resident), and large blocks served by mmap.
// All zero where malloc is not glibc's (another libc, a sanitizer's allocator).
struct HeapStats {
  int64_t in_use = 0;
  int64_t free = 0;
  int64_t mmapped = 0;
};
HeapStats CurrentHeap();

// Returns the free memory of every malloc arena to the kernel (glibc malloc_trim) — after a
// large, short-lived working set (a training) was freed, so that it does not stay resident.
// Takes each arena's lock in turn: call it from a background thread, not per request. No-op
// where malloc is not glibc's.
void ReleaseFreeHeap();

}  // namespace recplat::common
