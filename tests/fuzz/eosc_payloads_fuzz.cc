// libFuzzer target for the EOSC route set's payload decoders and encoders: arbitrary bytes must
// never crash or throw (see eosc_payloads_fuzz_check.h).
//
//   eosc_payloads_fuzz <scratch dir> tests/fuzz/corpus/eosc_payloads -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/eosc_payloads_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = recplat::fuzz::CheckEoscPayloadsProperty(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "eosc_payloads_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
