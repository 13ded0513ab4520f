// libFuzzer target for the ecoseller /store_object(s) body parsers: arbitrary bytes must never
// crash ParseStoreObjects / ParseStoreObjectBody, which answer OK or INVALID_ARGUMENT, and every
// accepted Config must round-trip (see ecoseller_objects_fuzz_check.h).
//
//   ecoseller_objects_fuzz <scratch dir> tests/fuzz/corpus/ecoseller_objects -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/ecoseller_objects_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = recplat::fuzz::CheckEcosellerObjectsProperty(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "ecoseller_objects_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
