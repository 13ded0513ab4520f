// The fuzz property (tests/fuzz/eosc_payloads_fuzz_check.h) over the seed corpus and thousands
// of deterministic mutations of it, so that "the EOSC payload decoders never crash or throw"
// runs in CI with any compiler. The libFuzzer target tests/fuzz/eosc_payloads_fuzz explores
// further with clang.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/eosc_payloads_fuzz_check.h"
#include "tests/testing/text_mutation.h"

namespace recplat::http::eosc {
namespace {

std::vector<std::string> ReadCorpus() {
  return ::recplat::testing::ReadCorpusDir(RECPLAT_EOSC_CORPUS_DIR);
}

TEST(EoscMutationTest, SeedsAndMutantsKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  ASSERT_GE(corpus.size(), 7u);
  std::vector<const std::string*> entries;
  for (const std::string& seed : corpus) {
    EXPECT_EQ(fuzz::CheckEoscPayloadsProperty(seed), "") << seed;
    entries.push_back(&seed);
  }
  // clang-format off
  static const std::vector<std::string> kTokens = {
      "{", "}", "[", "]", ",", ":", "\"", " ", "null", "true", "false", "0", "-1", "1.5",
      "\"abc\"", "[]", "{}", "\\u0000", "\\ud800", "99999999999999999999", "\"panel_id\": \"v2\",",
      "\"candidates\": [1, 2],", "\"q\": \"the clouds\",", "\"status\": \"draft\",", "\xff",
      "\xc3", std::string(300, 'w'), std::string(1, '\0')};
  // clang-format on
  std::mt19937_64 rng(10);
  for (int i = 0; i < 4000; ++i) {
    std::string text = corpus[rng() % corpus.size()];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      text = testing::MutateText(std::move(text), kTokens, entries, rng);
    }
    ASSERT_EQ(fuzz::CheckEoscPayloadsProperty(text), "") << text;
  }
}

}  // namespace
}  // namespace recplat::http::eosc
