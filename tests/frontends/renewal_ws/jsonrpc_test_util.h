// File: jsonrpc_test_util.h
//
// Test support for the JSON-RPC dispatcher: executors (a manual one whose tasks run when the
// test says, and a small thread pool) and a thread-safe sink for the frames a dispatcher sends.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_ws::test_util {

// Queues tasks; the test runs them, in any order, with RunAt/RunAll.
class ManualExecutor {
 public:
  Executor AsExecutor() {
    return [this](std::function<void()> task) {
      absl::MutexLock lock(&mu_);
      tasks_.push_back(std::move(task));
    };
  }
  size_t pending() {
    absl::MutexLock lock(&mu_);
    return tasks_.size();
  }
  // Runs (and removes) the task at `index` of the queue.
  void RunAt(size_t index) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      task = std::move(tasks_[index]);
      tasks_.erase(tasks_.begin() + static_cast<std::ptrdiff_t>(index));
    }
    task();
  }
  void RunAll() {
    while (pending() > 0) {
      RunAt(0);
    }
  }

 private:
  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
};

// Runs tasks on `threads` workers; the destructor drains the queue and joins.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~ThreadPool() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& worker : workers_) {
      worker.join();
    }
  }
  Executor AsExecutor() {
    return [this](std::function<void()> task) {
      absl::MutexLock lock(&mu_);
      tasks_.push_back(std::move(task));
    };
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](ThreadPool* pool) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return pool->stopping_ || !pool->tasks_.empty();
            },
            this));
        if (tasks_.empty()) {
          return;
        }
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

// Collects sent frames; safe to send into from any thread.
class FrameSink {
 public:
  SendFn AsSend() {
    return [this](std::string frame) {
      absl::MutexLock lock(&mu_);
      frames_.push_back(std::move(frame));
    };
  }
  std::vector<std::string> frames() {
    absl::MutexLock lock(&mu_);
    return frames_;
  }
  // Waits (bounded) until at least `n` frames arrived; returns whether they did.
  bool WaitFor(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return frames_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  // The frames parsed as JSON (a frame that does not parse becomes a discarded value).
  std::vector<nlohmann::json> json_frames() {
    std::vector<nlohmann::json> out;
    for (const std::string& frame : frames()) {
      out.push_back(nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false));
    }
    return out;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> frames_ ABSL_GUARDED_BY(mu_);
};

}  // namespace recplat::renewal_ws::test_util
