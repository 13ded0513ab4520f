// File: process_stats.h
//
// Resident-memory figures of the current process from /proc, for training statistics.
// Linux only; on failure the functions return 0 / do nothing.
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

}  // namespace recplat::common
