// libFuzzer target for the STOMP frame parser: arbitrary broker bytes must never crash it and
// keep the property of stomp_frame_fuzz_check.h.
//
//   stomp_frame_fuzz <scratch dir> tests/fuzz/corpus/stomp_frames -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/stomp_frame_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = recplat::fuzz::CheckStompFrameProperty(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "stomp_frame_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
