#include "trainers/news/text_features.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace recplat::news {

namespace {

bool IsStopWord(std::string_view w) {
  static const absl::flat_hash_set<std::string_view> kStop = {
      "a",     "about", "after", "all",   "also",  "an",    "and",   "are",   "as",    "at",
      "be",    "been",  "but",   "by",    "can",   "could", "did",   "do",    "does",  "for",
      "from",  "had",   "has",   "have",  "he",    "her",   "his",   "how",   "if",    "in",
      "into",  "is",    "it",    "its",   "just",  "more",  "most",  "new",   "no",    "not",
      "of",    "on",    "one",   "or",    "our",   "out",   "over",  "says",  "she",   "so",
      "than",  "that",  "the",   "their", "them",  "then",  "there", "these", "they",  "this",
      "to",    "up",    "was",   "we",    "were",  "what",  "when",  "which", "who",   "why",
      "will",  "with",  "would", "you",   "your"};
  return kStop.contains(w);
}

bool IsAsciiAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

void Tokenize(std::string_view text, std::vector<std::string>* out) {
  auto word_byte = [](unsigned char c) { return IsAsciiAlnum(c) || c >= 0x80; };
  size_t i = 0;
  while (i < text.size()) {
    if (!word_byte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::string word;
    bool digits_only = true;
    for (; i < text.size() && word_byte(static_cast<unsigned char>(text[i])); ++i) {
      const char c = text[i];
      digits_only = digits_only && c >= '0' && c <= '9';
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    if (word.size() < 2 || digits_only || IsStopWord(word)) continue;
    out->push_back(std::move(word));
  }
}

ContentIndex BuildContentIndex(const std::vector<models::ItemInfo>& items,
                               const FieldWeights& weights) {
  absl::flat_hash_map<std::string, uint32_t> vocabulary;
  std::vector<uint32_t> df;
  // Per item: (term, tf) pairs, terms unique.
  std::vector<std::vector<std::pair<uint32_t, float>>> tf(items.size());
  std::vector<std::string> words;
  absl::flat_hash_map<uint32_t, uint32_t> counts;
  uint32_t documents = 0;
  for (size_t item = 0; item < items.size(); ++item) {
    const models::ItemInfo& info = items[item];
    if (!info.live) continue;
    absl::flat_hash_map<uint32_t, float> row;
    auto add_field = [&](const std::vector<std::string>& terms, double weight) {
      if (weight <= 0) return;
      counts.clear();
      for (const std::string& t : terms) {
        auto [it, inserted] = vocabulary.try_emplace(t, static_cast<uint32_t>(vocabulary.size()));
        if (inserted) df.push_back(0);
        ++counts[it->second];
      }
      for (const auto& [term, count] : counts) {
        row[term] += static_cast<float>(weight * (1.0 + std::log(static_cast<double>(count))));
      }
    };
    words.clear();
    for (const std::string& k : info.categories) {
      std::string term = "kw:";
      for (char ch : k) term.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
      words.push_back(std::move(term));
    }
    add_field(words, weights.keywords);
    words.clear();
    Tokenize(info.title, &words);
    add_field(words, weights.title);
    words.clear();
    Tokenize(info.text, &words);
    add_field(words, weights.text);
    if (row.empty()) continue;
    ++documents;
    for (const auto& [term, w] : row) {
      ++df[term];
      tf[item].emplace_back(term, w);
    }
  }
  // Words in more than max_document_frequency of the documents say little and cost the
  // longest postings: dropped. Keywords are always kept.
  std::vector<bool> dropped(vocabulary.size(), false);
  for (const auto& [term, id] : vocabulary) {
    dropped[id] = !term.starts_with("kw:") &&
                  df[id] > weights.max_document_frequency * static_cast<double>(documents);
  }
  ContentIndex index;
  index.num_terms = static_cast<uint32_t>(vocabulary.size());
  SparseRows& rows = index.items;
  rows.offsets.reserve(items.size() + 1);
  for (auto& row : tf) {
    std::erase_if(row, [&dropped](const auto& entry) { return dropped[entry.first]; });
    std::sort(row.begin(), row.end());
    double norm = 0;
    for (auto& [term, w] : row) {
      w *= static_cast<float>(std::log((1.0 + documents) / (1.0 + df[term])) + 1.0);
      norm += static_cast<double>(w) * w;
    }
    const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    for (const auto& [term, w] : row) {
      rows.terms.push_back(term);
      rows.weights.push_back(w * scale);
    }
    rows.offsets.push_back(static_cast<uint32_t>(rows.terms.size()));
  }
  return index;
}

SparseRows Transpose(const SparseRows& rows, uint32_t num_columns) {
  SparseRows t;
  t.offsets.assign(num_columns + 1, 0);
  for (uint32_t term : rows.terms) ++t.offsets[term + 1];
  for (uint32_t c = 0; c < num_columns; ++c) t.offsets[c + 1] += t.offsets[c];
  t.terms.resize(rows.nnz());
  t.weights.resize(rows.nnz());
  std::vector<uint32_t> next(t.offsets.begin(), t.offsets.end() - 1);
  for (uint32_t r = 0; r < rows.rows(); ++r) {
    for (uint32_t k = rows.offsets[r]; k < rows.offsets[r + 1]; ++k) {
      const uint32_t slot = next[rows.terms[k]]++;
      t.terms[slot] = r;
      t.weights[slot] = rows.weights[k];
    }
  }
  return t;
}

}  // namespace recplat::news
