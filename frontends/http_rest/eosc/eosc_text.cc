#include "frontends/http_rest/eosc/eosc_text.h"

#include <algorithm>
#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"

namespace recplat::http::eosc {
namespace {

// Mongo's English stop words, the most frequent part.
constexpr const char* kStopWords[] = {
    "a",     "about", "above", "after", "again", "all",   "an",    "and",   "any",  "are",
    "as",    "at",    "be",    "been",  "being", "both",  "but",   "by",    "can",  "do",
    "does",  "for",   "from",  "had",   "has",   "have",  "he",    "her",   "his",  "how",
    "i",     "if",    "in",    "into",  "is",    "it",    "its",   "more",  "most", "no",
    "not",   "of",    "on",    "or",    "other", "our",   "she",   "so",    "such", "than",
    "that",  "the",   "their", "them",  "then",  "there", "these", "they",  "this", "those",
    "to",    "too",   "under", "up",    "very",  "was",   "we",    "were",  "what", "when",
    "where", "which", "while", "who",   "why",   "will",  "with",  "would", "you",  "your"};

bool IsStopWord(absl::string_view w) {
  return std::any_of(std::begin(kStopWords), std::end(kStopWords),
                     [&](const char* s) { return w == s; });
}

bool IsVowelAt(const std::string& w, size_t i) {
  switch (w[i]) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
      return true;
    case 'y':
      return i > 0 && !IsVowelAt(w, i - 1);
    default:
      return false;
  }
}
bool IsConsonantAt(const std::string& w, size_t i) { return !IsVowelAt(w, i); }

// Porter's m(): the number of VC sequences in w[0, len).
int Measure(const std::string& w, size_t len) {
  int m = 0;
  size_t i = 0;
  while (i < len && IsConsonantAt(w, i)) ++i;
  while (i < len) {
    while (i < len && IsVowelAt(w, i)) ++i;
    if (i >= len) break;
    while (i < len && IsConsonantAt(w, i)) ++i;
    ++m;
  }
  return m;
}
bool HasVowel(const std::string& w, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (IsVowelAt(w, i)) return true;
  }
  return false;
}
// *o: ends consonant-vowel-consonant, the last not w, x or y.
bool EndsCvc(const std::string& w) {
  const size_t n = w.size();
  if (n < 3) return false;
  if (!IsConsonantAt(w, n - 3) || !IsVowelAt(w, n - 2) || !IsConsonantAt(w, n - 1)) return false;
  const char c = w[n - 1];
  return c != 'w' && c != 'x' && c != 'y';
}

}  // namespace

std::string Stem(absl::string_view word) {
  std::string w(word);
  if (w.size() <= 2) return w;
  // Step 1a.
  if (absl::EndsWith(w, "sses") || absl::EndsWith(w, "ies")) {
    w.resize(w.size() - 2);
  } else if (absl::EndsWith(w, "ss")) {
  } else if (absl::EndsWith(w, "s")) {
    w.pop_back();
  }
  // Step 1b.
  bool extra = false;
  if (absl::EndsWith(w, "eed")) {
    if (Measure(w, w.size() - 3) > 0) w.pop_back();
  } else if (absl::EndsWith(w, "ed") && HasVowel(w, w.size() - 2)) {
    w.resize(w.size() - 2);
    extra = true;
  } else if (absl::EndsWith(w, "ing") && HasVowel(w, w.size() - 3)) {
    w.resize(w.size() - 3);
    extra = true;
  }
  if (extra) {
    const size_t n = w.size();
    if (absl::EndsWith(w, "at") || absl::EndsWith(w, "bl") || absl::EndsWith(w, "iz")) {
      w.push_back('e');
    } else if (n >= 2 && w[n - 1] == w[n - 2] && IsConsonantAt(w, n - 1) && w[n - 1] != 'l' &&
               w[n - 1] != 's' && w[n - 1] != 'z') {
      w.pop_back();
    } else if (Measure(w, n) == 1 && EndsCvc(w)) {
      w.push_back('e');
    }
  }
  // Step 1c.
  if (w.size() > 1 && w.back() == 'y' && HasVowel(w, w.size() - 1)) w.back() = 'i';
  return w;
}

std::vector<std::string> SearchWords(absl::string_view text, size_t max_words) {
  std::vector<std::string> out;
  absl::flat_hash_set<std::string> seen;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && !IsStopWord(word) && out.size() < max_words) {
      std::string stem = Stem(word);
      if (seen.insert(stem).second) out.push_back(std::move(stem));
    }
    word.clear();
  };
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || std::isalnum(c)) {
      word.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
      // Labels are at most 256 bytes: cut overlong words.
      if (word.size() > 200) flush();
    } else {
      flush();
    }
  }
  flush();
  return out;
}

}  // namespace recplat::http::eosc
