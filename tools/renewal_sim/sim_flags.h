// File: sim_flags.h
//
// The command line of `renewal-sim` (main.cc), parsed into typed values so that it can be
// tested: `renewal-sim [run] [flags]` runs a simulation, `renewal-sim trigger [flags]` is the
// §1.8 test utility's client, `renewal-sim --help` prints Usage(). Flags take their value as the
// next argument or after '='. Bad flags or values are INVALID_ARGUMENT naming the flag (main
// prints it with the usage and exits 2). Reads no file and no environment.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/renewal_sim/mind_data.h"
#include "tools/renewal_sim/sim_backend.h"
#include "tools/renewal_sim/trigger.h"

namespace recplat::renewal_sim {

struct RunConfig {
  std::string data_dir = "../shared/datasets/mind-small-sample";
  MindLoadOptions load;
  // The recsystems to print tokens for and wait for are sim.recsystems ("recsystem-1" when no
  // --sub is given).
  SimOptions sim;
  // PEM files; main reads them into sim.tls_cert_pem / tls_key_pem.
  std::string tls_cert_file;
  std::string tls_key_file;
  int64_t steps = 5;
  // Wait this long for every listed recsystem to be greeted before the first step.
  int64_t wait_seconds = 60;
  // Keep serving this long after the last step (e.g. to use `renewal-sim trigger`).
  int64_t linger_seconds = 0;
};

struct TriggerConfig {
  TriggerRequest request;
  // Sign a token for `sub` with `secret` when no --token is given.
  std::string secret;
  std::string sub;
};

struct Command {
  enum class Kind { kRun, kTrigger, kHelp };
  Kind kind = Kind::kRun;
  RunConfig run;
  TriggerConfig trigger;
};

// Parses the arguments after the program name.
absl::StatusOr<Command> ParseCommandLine(const std::vector<std::string>& args);

std::string Usage();

}  // namespace recplat::renewal_sim
