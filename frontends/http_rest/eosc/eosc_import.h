// File: eosc_import.h
//
// DumpImporter: the background writer of EOSC database dumps (eosc_routes.h). Enqueue() takes
// a validated dump and returns at once; one worker thread then reads what the core holds
// (the item ids and the user and aai_uid documents, to delete what the dump no longer has),
// writes the dump as one atomic Api::Write (eosc_codec.h, EncodeDump) and, for /update, asks
// the core to train the configured models. Failures are logged (the Marketplace got its 204
// already, as from the original's Celery task).
//
// Thread-safety: Enqueue and WaitIdle are thread-safe. The destructor finishes the queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "core/api/api.h"
#include "core/common/clock.h"
#include "frontends/http_rest/eosc/eosc_codec.h"

namespace recplat::http::eosc {

class DumpImporter {
 public:
  // `api` and `clock` must outlive the importer. `train_models` are trained after a dump
  // enqueued with `train` (those the core does not configure are skipped).
  DumpImporter(api::Api* api, const common::Clock* clock, std::string tenant,
               std::vector<std::string> train_models);
  ~DumpImporter();

  void Enqueue(Dump dump, bool train);
  // Blocks until the queue is empty and the worker idle.
  void WaitIdle();

  // Imports one dump now, on the calling thread (the worker's step).
  absl::Status Import(const Dump& dump);
  // Queues the training of every configured train model (wait = false).
  void QueueTraining();

 private:
  struct Job {
    Dump dump;
    bool train = false;
  };
  void Run();
  absl::StatusOr<ExistingState> ReadExisting();

  api::Api* const api_;
  const common::Clock* const clock_;
  const std::string tenant_;
  const std::vector<std::string> train_models_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace recplat::http::eosc
