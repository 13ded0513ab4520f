#include "frontends/http_rest/eosc/eosc_text.h"

#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "core/common/english_stemmer.h"

namespace recplat::http::eosc {

std::string Stem(absl::string_view word) { return common::StemEnglish(word); }

std::vector<std::string> SearchWords(absl::string_view text, size_t max_words) {
  std::vector<std::string> out;
  absl::flat_hash_set<std::string> seen;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && !common::IsEnglishStopWord(word) && out.size() < max_words) {
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
