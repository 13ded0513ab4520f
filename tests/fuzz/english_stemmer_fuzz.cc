// libFuzzer target for the English stemmer: arbitrary bytes must never crash it, and the stem
// keeps the property of english_stemmer_fuzz_check.h.
//
//   english_stemmer_fuzz <scratch dir> tests/fuzz/corpus/english_stemmer -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/english_stemmer_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = recplat::fuzz::CheckEnglishStemmerProperty(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "english_stemmer_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
