// The fuzz property (tests/fuzz/ecoseller_objects_fuzz_check.h) over the seed corpus and
// thousands of deterministic mutations of it, so that "the /store_object(s) parsers never crash
// and answer OK or INVALID_ARGUMENT" runs in CI with any compiler. The libFuzzer target
// tests/fuzz/ecoseller_objects_fuzz explores further with clang.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "frontends/http_rest/ecoseller/objects.h"
#include "gtest/gtest.h"
#include "tests/testing/text_mutation.h"
#include "tests/fuzz/ecoseller_objects_fuzz_check.h"

namespace recplat::http::ecoseller {
namespace {

struct Seed {
  std::string name;
  std::string data;
};

std::vector<Seed> ReadCorpus() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(RECPLAT_ECOSELLER_CORPUS_DIR)) {
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Seed> corpus;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    corpus.push_back({path.filename().string(), std::string(std::istreambuf_iterator<char>(in),
                                                            std::istreambuf_iterator<char>())});
  }
  return corpus;
}

// One random edit of `text`, biased towards JSON syntax and the payloads' vocabulary so that
// mutants stay near-valid and reach the field validation.
std::string Mutate(std::string text, const std::vector<Seed>& corpus, std::mt19937_64& rng) {
  // clang-format off
  static const std::vector<std::string> kTokens = {
      "{", "}", "[", "]", ",", ":", "\"", " ", "null", "true", "false", "0", "-1", "1.5", "1e400",
      "\"abc\"", "\"12\"", "[]", "{}", "\\u0000", "\\ud800", "99999999999999999999",
      "\"deleted\": true,", "\"_model_class\": \"Config\",", "\"create_at\": ",
      "\"2023-02-30T00:00:00Z\"", "\"1690884000\"", "\"Order\"", "\"Product\"", "\xff", "\xc3",
      std::string(1, '\0')};
  // clang-format on
  std::vector<const std::string*> entries;
  for (const Seed& seed : corpus) entries.push_back(&seed.data);
  return recplat::testing::MutateText(std::move(text), kTokens, entries, rng,
                                      {.max_duplicate = 64, .max_splice = 128});
}

TEST(EcosellerObjectsMutationTest, SeedsKeepTheProperty) {
  const std::vector<Seed> corpus = ReadCorpus();
  ASSERT_GE(corpus.size(), 5u);
  for (const Seed& seed : corpus) {
    EXPECT_EQ(fuzz::CheckEcosellerObjectsProperty(seed.data), "") << seed.name;
  }
}

TEST(EcosellerObjectsMutationTest, SeedsParseAsIntended) {
  // Every seed is a valid /store_objects body, except single_object.json (a /store_object body).
  const absl::Time now = absl::FromUnixSeconds(1690884000);
  for (const Seed& seed : ReadCorpus()) {
    if (seed.name == "single_object.json") {
      EXPECT_TRUE(ParseStoreObjectBody(seed.data, now).ok()) << seed.name;
    } else {
      const auto parsed = ParseStoreObjects(seed.data, now);
      EXPECT_TRUE(parsed.ok()) << seed.name << ": " << parsed.status();
    }
  }
}

TEST(EcosellerObjectsMutationTest, MutantsKeepTheProperty) {
  const std::vector<Seed> corpus = ReadCorpus();
  ASSERT_FALSE(corpus.empty());
  const absl::Time now = absl::FromUnixSeconds(1690884000);
  std::mt19937_64 rng(20230801);
  constexpr int kMutants = 5000;
  int accepted = 0;
  for (int i = 0; i < kMutants; ++i) {
    std::string text = corpus[rng() % corpus.size()].data;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      text = Mutate(std::move(text), corpus, rng);
    }
    const std::string failure = fuzz::CheckEcosellerObjectsProperty(text);
    ASSERT_EQ(failure, "") << "mutant " << i << ":\n" << text;
    accepted += ParseStoreObjects(text, now).ok() || ParseStoreObjectBody(text, now).ok();
  }
  // Both outcomes must be exercised for the test to mean anything.
  RecordProperty("accepted_mutants", accepted);
  EXPECT_GT(accepted, kMutants / 40);
  EXPECT_LT(accepted, kMutants - kMutants / 40);
}

}  // namespace
}  // namespace recplat::http::ecoseller
