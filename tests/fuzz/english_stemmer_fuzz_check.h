// File: english_stemmer_fuzz_check.h
//
// The property the English stemmer (core/common/english_stemmer.h) keeps for arbitrary bytes,
// shared by the libFuzzer target (english_stemmer_fuzz.cc) and the deterministic random-input
// test that runs in CI with any compiler (tests/core/common/english_stemmer_fuzz_test.cc). Seeds
// live in tests/fuzz/corpus/english_stemmer/.
//
// Property: StemEnglish never crashes and never grows its input (every rule deletes or replaces
// a suffix by one at most as long, except +e after removing ed/ing); a word of fewer than three
// bytes comes back as it is; valid UTF-8 stays valid UTF-8 and its non-ASCII characters are
// never altered (they are consonants to the algorithm: the stem is a prefix of the input, less an
// initial apostrophe, up to the last non-ASCII byte); IsEnglishStopWord answers without crashing.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/common/english_stemmer.h"

namespace recplat::fuzz {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool IsValidUtf8ForCheck(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80             ? 1
                 : (b & 0xE0) == 0xC0 ? 2
                 : (b & 0xF0) == 0xE0 ? 3
                 : (b & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || i + len > s.size()) return false;
    unsigned cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const unsigned min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 0;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

inline std::string CheckEnglishStemmerProperty(absl::string_view data) {
  const std::string stem = common::StemEnglish(data);
  (void)common::IsEnglishStopWord(data);
  if (stem.size() > data.size()) {
    return absl::StrCat("stem longer than the word: ", stem.size(), " > ", data.size());
  }
  if (data.size() < 3 && stem != data) return "a word of fewer than 3 bytes changed";
  // An upper-case Y of the input may come back lower-case (Snowball's postlude).
  auto fold_y = [](absl::string_view t) {
    std::string out(t);
    for (char& c : out) c = c == 'Y' ? 'y' : c;
    return out;
  };
  // Nothing before the last non-ASCII byte changes, but the prelude may drop one initial
  // apostrophe.
  auto kept_up_to_non_ascii = [&](absl::string_view base) {
    size_t last_non_ascii = 0;
    for (size_t i = 0; i < base.size(); ++i) {
      if (static_cast<unsigned char>(base[i]) >= 0x80) last_non_ascii = i + 1;
    }
    return fold_y(absl::string_view(stem).substr(0, last_non_ascii)) ==
           fold_y(base.substr(0, last_non_ascii));
  };
  if (!kept_up_to_non_ascii(data) &&
      !(!data.empty() && data[0] == '\'' && kept_up_to_non_ascii(data.substr(1)))) {
    return "a non-ASCII byte, or a letter before it, changed";
  }
  if (IsValidUtf8ForCheck(data) && !IsValidUtf8ForCheck(stem))
    return "valid UTF-8 came out invalid";
  return "";
}

}  // namespace recplat::fuzz
