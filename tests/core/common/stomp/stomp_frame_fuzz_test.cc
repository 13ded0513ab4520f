// The fuzz property of the STOMP frame parser (tests/fuzz/stomp_frame_fuzz_check.h) over its
// seed corpus and thousands of deterministic mutations of it, so that "bytes from a broker never
// crash the parser" runs in CI with any compiler; tests/fuzz/stomp_frame_fuzz explores further.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/stomp_frame_fuzz_check.h"
#include "tests/testing/text_mutation.h"

namespace recplat::stomp {
namespace {

std::vector<std::string> ReadCorpus() {
  return ::recplat::testing::ReadCorpusDir(RECPLAT_STOMP_CORPUS_DIR);
}

TEST(StompFrameFuzzTest, SeedsAndMutantsKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  ASSERT_GE(corpus.size(), 6u);
  std::vector<const std::string*> entries;
  for (const std::string& seed : corpus) {
    EXPECT_EQ(fuzz::CheckStompFrameProperty(seed), "") << seed;
    entries.push_back(&seed);
  }
  static const std::vector<std::string> kTokens = {"\n",
                                                   "\r\n",
                                                   "\r",
                                                   ":",
                                                   "\\",
                                                   "\\c",
                                                   "\\n",
                                                   "\\r",
                                                   "\\\\",
                                                   "\\t",
                                                   std::string(1, '\0'),
                                                   "content-length:",
                                                   "content-length:0\n",
                                                   "content-length:5\n",
                                                   "content-length:99999999\n",
                                                   "MESSAGE\n",
                                                   "ERROR\n",
                                                   "CONNECTED\n",
                                                   "\n\n",
                                                   std::string(300, 'h'),
                                                   "\xff",
                                                   "-1"};
  std::mt19937_64 rng(30);
  for (int i = 0; i < 20000; ++i) {
    std::string text = corpus[rng() % corpus.size()];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      text = testing::MutateText(std::move(text), kTokens, entries, rng);
    }
    ASSERT_EQ(fuzz::CheckStompFrameProperty(text), "") << text;
  }
}

TEST(StompFrameFuzzTest, RandomBytesKeepTheProperty) {
  std::mt19937_64 rng(31);
  const std::string kAlphabet = std::string("\n\r:\\\0ABCDEGMNRSTcnlx-0123456789", 31);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    const size_t len = rng() % 64;
    for (size_t k = 0; k < len; ++k) {
      bytes.push_back(rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                     : kAlphabet[rng() % kAlphabet.size()]);
    }
    ASSERT_EQ(fuzz::CheckStompFrameProperty(bytes), "") << bytes;
  }
}

}  // namespace
}  // namespace recplat::stomp
