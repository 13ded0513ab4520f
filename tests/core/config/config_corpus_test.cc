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
#include "tests/fuzz/config_fuzz_check.h"

namespace recplat::config {
namespace {

std::vector<std::string> ReadCorpus() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(RECPLAT_CONFIG_CORPUS_DIR)) {
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> corpus;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return corpus;
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
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  const size_t at = pick(text.size() + 1);
  switch (rng() % 6) {
    case 0:  // insert a token
      text.insert(at, kTokens[pick(kTokens.size())]);
      break;
    case 1:  // delete a range
      text.erase(at, 1 + pick(16));
      break;
    case 2:  // flip a byte
      if (!text.empty()) {
        text[pick(text.size())] = static_cast<char>(rng());
      }
      break;
    case 3: {  // duplicate a range
      const std::string range = text.substr(at, 1 + pick(32));
      text.insert(pick(text.size() + 1), range);
      break;
    }
    case 4: {  // splice in part of another seed
      const std::string& other = corpus[pick(corpus.size())];
      const size_t from = pick(other.size() + 1);
      text.insert(at, other.substr(from, 1 + pick(64)));
      break;
    }
    default:  // truncate
      text.resize(at);
      break;
  }
  return text;
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
