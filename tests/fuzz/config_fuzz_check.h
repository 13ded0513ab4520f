// File: config_fuzz_check.h
//
// The property the config loader must keep for arbitrary input, shared by the libFuzzer target
// (config_fuzz.cc) and the deterministic mutation test that runs in CI with any compiler
// (tests/core/config/config_corpus_test.cc).
//
// Input format: YAML text, optionally followed by a line "#--" and then one override per line:
// lines starting with RECPLAT_ are environment variables NAME=VALUE, other lines are --set
// flags. Seeds live in tests/fuzz/corpus/config/.
//
// Property: ParseConfig returns (never throws or crashes); when it succeeds, ConfigToYaml of
// the result parses back to an equal config.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "core/config/config_loader.h"

namespace recplat::fuzz {

struct ConfigFuzzInput {
  std::string yaml;
  std::vector<std::string> set_flags;
  std::vector<std::pair<std::string, std::string>> env;
};

inline ConfigFuzzInput SplitConfigFuzzInput(absl::string_view data) {
  ConfigFuzzInput input;
  constexpr absl::string_view kDelimiter = "\n#--\n";
  const size_t at = data.find(kDelimiter);
  input.yaml = std::string(data.substr(0, at));
  if (at == absl::string_view::npos) {
    return input;
  }
  for (absl::string_view line :
       absl::StrSplit(data.substr(at + kDelimiter.size()), '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "RECPLAT_")) {
      const size_t equals = line.find('=');
      input.env.emplace_back(
          std::string(line.substr(0, equals)),
          equals == absl::string_view::npos ? std::string() : std::string(line.substr(equals + 1)));
    } else {
      input.set_flags.emplace_back(line);
    }
  }
  return input;
}

// Empty when the property holds for `data`; otherwise what broke it.
inline std::string CheckConfigProperty(absl::string_view data) {
  const ConfigFuzzInput input = SplitConfigFuzzInput(data);
  absl::StatusOr<config::Config> parsed =
      config::ParseConfig(input.yaml, "fuzz", input.set_flags, input.env);
  if (!parsed.ok()) {
    if (parsed.status().code() == absl::StatusCode::kInternal) {
      return std::string("internal error (an exception escaped a decoder): ") +
             std::string(parsed.status().message());
    }
    return "";
  }
  const std::string yaml = config::ConfigToYaml(*parsed);
  absl::StatusOr<config::Config> reparsed = config::ParseConfig(yaml, "round trip", {}, {});
  if (!reparsed.ok()) {
    return "ConfigToYaml output does not parse: " + std::string(reparsed.status().message()) +
           "\n--- yaml ---\n" + yaml;
  }
  if (!(*reparsed == *parsed)) {
    return "ConfigToYaml output parses to a different config\n--- yaml ---\n" + yaml +
           "--- reparsed ---\n" + config::ConfigToYaml(*reparsed);
  }
  return "";
}

}  // namespace recplat::fuzz
