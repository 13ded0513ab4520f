// File: thread_priority.h
//
// Scheduling priority of background threads. Work that serving does not wait for (writing
// served lists for monitoring, training) runs below the request threads, so that on a busy
// machine its bursts delay it rather than the answers.
//
// Linux: a thread has its own nice value (setpriority on its thread id), and threads it creates
// later inherit it. Elsewhere, or when the kernel refuses, nothing changes.
#pragma once

namespace recplat::common {

// Adds `increment` (clamped to the range 0..19 of the result) to the calling thread's nice value.
// Returns whether the priority was changed.
bool LowerCurrentThreadPriority(int increment);

// The calling thread's nice value (0 when unknown).
int CurrentThreadNice();

}  // namespace recplat::common
