// The fuzz property (tests/fuzz/config_fuzz_check.h) over the seed corpus and thousands of
// deterministic mutations of it, so that "ParseConfig never crashes, always returns a status,
// and what it accepts round-trips" runs in CI with any compiler. The libFuzzer target
// tests/fuzz/config_fuzz explores further with clang.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/text_mutation.h"
#include "tests/fuzz/config_fuzz_check.h"

namespace recplat::config {
namespace {

std::vector<std::string> ReadCorpus() {
  return ::recplat::testing::ReadCorpusDir(RECPLAT_CONFIG_CORPUS_DIR);
}

// One random edit of `text`, biased towards YAML syntax so that mutants stay near-valid.
std::string Mutate(std::string text, const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  static const std::vector<std::string> kTokens = {
      ":",         ": ",     "- ",       "[",
      "]",         "{",      "}",        ",",
      "&a ",       "*a",     "\n",       "  ",
      "'",         "\"",     "#",        "~",
      "!!str ",    "? ",     "|",        ">",
      "---\n",     "\t",     "\\",       "%",
      "0",         "-1",     "1e400",    "null",
      "yes",       "models", "surfaces", "params",
      "retrieval", "random", "\n#--\n",  "RECPLAT_API_MAX_BATCH=",
      "grpc=",     "\xff",   "\xc3",     std::string(1, '\0')};
  std::vector<const std::string*> entries;
  for (const std::string& entry : corpus) entries.push_back(&entry);
  return recplat::testing::MutateText(std::move(text), kTokens, entries, rng,
                                      {.max_duplicate = 32, .max_splice = 64});
}

TEST(ConfigCorpusTest, SeedsKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  ASSERT_GE(corpus.size(), 5u);
  for (const std::string& seed : corpus) {
    EXPECT_EQ(fuzz::CheckConfigProperty(seed), "") << seed;
  }
}

TEST(ConfigCorpusTest, SeedsParseAsIntended) {
  // Most seeds are valid profiles; errors.yaml is the one meant to fail.
  for (const auto& entry : std::filesystem::directory_iterator(RECPLAT_CONFIG_CORPUS_DIR)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const fuzz::ConfigFuzzInput input = fuzz::SplitConfigFuzzInput(data);
    const bool ok = ParseConfig(input.yaml, "seed", input.set_flags, input.env).ok();
    EXPECT_EQ(ok, entry.path().filename() != "errors.yaml") << entry.path();
  }
}

TEST(ConfigCorpusTest, MutantsKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  ASSERT_FALSE(corpus.empty());
  std::mt19937_64 rng(20240611);
  constexpr int kMutants = 5000;
  int accepted = 0;
  for (int i = 0; i < kMutants; ++i) {
    std::string text = corpus[rng() % corpus.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      text = Mutate(std::move(text), corpus, rng);
    }
    const std::string failure = fuzz::CheckConfigProperty(text);
    ASSERT_EQ(failure, "") << "mutant " << i << ":\n" << text;
    const fuzz::ConfigFuzzInput input = fuzz::SplitConfigFuzzInput(text);
    accepted += ParseConfig(input.yaml, "m", input.set_flags, input.env).ok() ? 1 : 0;
  }
  // Both outcomes must be exercised for the test to mean anything.
  EXPECT_GT(accepted, kMutants / 20);
  EXPECT_LT(accepted, kMutants - kMutants / 20);
}

}  // namespace
}  // namespace recplat::config
