// libFuzzer target for the YAML config loader: arbitrary bytes as a profile (plus optional
// env/--set overrides, see config_fuzz_check.h) must never crash ParseConfig, and every config
// it accepts must survive a ConfigToYaml round trip.
//
//   config_fuzz tests/fuzz/corpus/config -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/config_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = recplat::fuzz::CheckConfigProperty(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "config_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
