// File: text_mutation.h
//
// ReadCorpusDir: the seed corpus of a fuzz target (every file of a directory, in name order).
// MutateText: one seeded random edit of a text, for the deterministic mutation tests that run
// a fuzz target's property over mutants of its seed corpus in CI (tests/core/config,
// tests/frontends/ecoseller). The edits: insert one of `tokens`, delete a range, overwrite a byte,
// duplicate a range, splice in part of another corpus entry, or truncate; `tokens` bias mutants
// towards the input's syntax so they stay near-valid.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace recplat::testing {

// The contents of every file in `dir`, sorted by path (so mutation runs are reproducible).
inline std::vector<std::string> ReadCorpusDir(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> corpus;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return corpus;
}

struct MutationLimits {
  // Longest range a duplication copies, and a splice takes from another entry.
  size_t max_duplicate = 32;
  size_t max_splice = 64;
};

inline std::string MutateText(std::string text, const std::vector<std::string>& tokens,
                              const std::vector<const std::string*>& corpus, std::mt19937_64& rng,
                              MutationLimits limits = {}) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  const size_t at = pick(text.size() + 1);
  switch (rng() % 6) {
    case 0:  // insert a token
      text.insert(at, tokens[pick(tokens.size())]);
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
      const std::string range = text.substr(at, 1 + pick(limits.max_duplicate));
      text.insert(pick(text.size() + 1), range);
      break;
    }
    case 4: {  // splice in part of another entry
      const std::string& other = *corpus[pick(corpus.size())];
      const size_t from = pick(other.size() + 1);
      text.insert(at, other.substr(from, 1 + pick(limits.max_splice)));
      break;
    }
    default:  // truncate
      text.resize(at);
      break;
  }
  return text;
}

}  // namespace recplat::testing
