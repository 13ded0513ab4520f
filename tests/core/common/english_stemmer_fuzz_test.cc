// The fuzz property of the English stemmer (tests/fuzz/english_stemmer_fuzz_check.h) over its
// seed corpus, mutants of it, random bytes and random UTF-8 words, so that "the stemmer never
// crashes and never grows or mangles a word" runs in CI with any compiler. The libFuzzer target
// tests/fuzz/english_stemmer_fuzz explores further with clang.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/english_stemmer_fuzz_check.h"
#include "tests/testing/text_mutation.h"

namespace recplat::common {
namespace {

std::vector<std::string> ReadCorpus() {
  return ::recplat::testing::ReadCorpusDir(RECPLAT_ENGLISH_STEMMER_CORPUS_DIR);
}

TEST(EnglishStemmerFuzzTest, SeedsAndMutantsKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  ASSERT_GE(corpus.size(), 10u);
  std::vector<const std::string*> entries;
  for (const std::string& seed : corpus) {
    EXPECT_EQ(fuzz::CheckEnglishStemmerProperty(seed), "") << seed;
    entries.push_back(&seed);
  }
  static const std::vector<std::string> kTokens = {"s",
                                                   "'",
                                                   "'s",
                                                   "y",
                                                   "Y",
                                                   "ies",
                                                   "ied",
                                                   "eed",
                                                   "ing",
                                                   "ingly",
                                                   "ed",
                                                   "edly",
                                                   "ational",
                                                   "tional",
                                                   "ization",
                                                   "iveness",
                                                   "biliti",
                                                   "ogi",
                                                   "li",
                                                   "ement",
                                                   "ion",
                                                   "e",
                                                   "ll",
                                                   "gener",
                                                   "commun",
                                                   "arsen",
                                                   "\xff",
                                                   "\xc3",
                                                   "\xc3\xa9",
                                                   "\xe6\x97\xa5",
                                                   std::string(1, '\0')};
  std::mt19937_64 rng(20);
  for (int i = 0; i < 20000; ++i) {
    std::string text = corpus[rng() % corpus.size()];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      text = testing::MutateText(std::move(text), kTokens, entries, rng);
    }
    ASSERT_EQ(fuzz::CheckEnglishStemmerProperty(text), "") << text;
  }
}

TEST(EnglishStemmerFuzzTest, RandomBytesAndUtf8KeepTheProperty) {
  std::mt19937_64 rng(21);
  // Letters the rules look at, weighted towards vowels, y and common suffix letters.
  const std::string kLetters = "aeiouyysstedinglcbrmnp'Y";
  const std::vector<std::string> kWide = {
      "\xc3\xa9",     "\xc3\xaf", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
      "\xed\xa0\x80", "\xc0\xaf", "\x80",         "\xff"};
  for (int i = 0; i < 30000; ++i) {
    std::string word;
    const size_t len = rng() % 16;
    const int mode = static_cast<int>(rng() % 3);
    for (size_t k = 0; k < len; ++k) {
      if (mode == 0) {
        word.push_back(static_cast<char>(rng() % 256));
      } else if (mode == 1 || rng() % 6 != 0) {
        word.push_back(kLetters[rng() % kLetters.size()]);
      } else {
        word += kWide[rng() % kWide.size()];
      }
    }
    ASSERT_EQ(fuzz::CheckEnglishStemmerProperty(word), "") << word;
  }
}

}  // namespace
}  // namespace recplat::common
