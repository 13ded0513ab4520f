#include "core/common/english_stemmer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace recplat::common {
namespace {

// ---- UTF-8 <-> code points. Invalid bytes become U+DC80..U+DCFF (never produced by valid
// UTF-8 decoding, which rejects surrogates) and are written back as the same byte.

std::u32string Decode(absl::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    int len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2;
      cp = b0 & 0x1F;
      min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
      cp = b0 & 0x0F;
      min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
      cp = b0 & 0x07;
      min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (b & 0x3F);
      }
    }
    if (ok && len > 1 && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      out.push_back(0xDC00 + b0);
      ++i;
    } else {
      out.push_back(cp);
      i += len;
    }
  }
  return out;
}

std::string Encode(const std::u32string& w) {
  std::string out;
  out.reserve(w.size());
  for (char32_t c : w) {
    if (c >= 0xDC80 && c <= 0xDCFF) {
      out.push_back(static_cast<char>(c - 0xDC00));
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// ---- The algorithm, on code points. 'Y' is the marked consonant y of the prelude.

struct Rule {
  std::u32string_view suffix;
  std::u32string_view replacement;
  // 0: none; 'l': preceded by l; 'L': preceded by a valid li-ending; '2': suffix in R2;
  // 's': preceded by s or t.
  char condition = 0;
};

class Porter2 {
 public:
  explicit Porter2(std::u32string word) : w_(std::move(word)) {}

  std::u32string Run() {
    if (Exception1()) return w_;
    if (w_.size() < 3) return w_;
    Prelude();
    MarkRegions();
    Step0();
    Step1a();
    if (!Exception2()) {
      Step1b();
      Step1c();
      Step2();
      Step3();
      Step4();
      Step5();
    }
    // Postlude: as Snowball, only when the prelude marked a y (input is lower-case anyway).
    if (y_found_) std::replace(w_.begin(), w_.end(), U'Y', U'y');
    return w_;
  }

 private:
  static bool IsV(char32_t c) {
    return c == U'a' || c == U'e' || c == U'i' || c == U'o' || c == U'u' || c == U'y';
  }
  bool V(size_t i) const { return IsV(w_[i]); }
  bool EndsWith(std::u32string_view s) const {
    return w_.size() >= s.size() && std::u32string_view(w_).substr(w_.size() - s.size()) == s;
  }
  void Replace(size_t suffix_len, std::u32string_view by) {
    w_.resize(w_.size() - suffix_len);
    w_.append(by);
  }
  // Snowball's shortv over w_[0, end): non-vowel (not w, x, Y), vowel, non-vowel; or, at the
  // start of the word, vowel then non-vowel.
  bool ShortSyllableEndingAt(size_t end) const {
    if (end >= 3 && !V(end - 1) && w_[end - 1] != U'w' && w_[end - 1] != U'x' &&
        w_[end - 1] != U'Y' && V(end - 2) && !V(end - 3)) {
      return true;
    }
    return end == 2 && V(0) && !V(1);
  }
  bool HasVowelBefore(size_t end) const {
    for (size_t i = 0; i < end; ++i) {
      if (V(i)) return true;
    }
    return false;
  }

  bool Exception1() {
    static constexpr std::array<std::pair<std::u32string_view, std::u32string_view>, 18> kForms =
        {{{U"skis", U"ski"},    {U"skies", U"sky"},   {U"dying", U"die"},   {U"lying", U"lie"},
          {U"tying", U"tie"},   {U"idly", U"idl"},    {U"gently", U"gentl"}, {U"ugly", U"ugli"},
          {U"early", U"earli"}, {U"only", U"onli"},   {U"singly", U"singl"}, {U"sky", U"sky"},
          {U"news", U"news"},   {U"howe", U"howe"},   {U"atlas", U"atlas"}, {U"cosmos", U"cosmos"},
          {U"bias", U"bias"},   {U"andes", U"andes"}}};
    for (const auto& [form, stem] : kForms) {
      if (w_ == form) {
        w_ = std::u32string(stem);
        return true;
      }
    }
    return false;
  }

  bool Exception2() const {
    static constexpr std::array<std::u32string_view, 8> kInvariant = {
        U"inning", U"outing", U"canning", U"herring",
        U"earring", U"proceed", U"exceed", U"succeed"};
    return std::find(kInvariant.begin(), kInvariant.end(), std::u32string_view(w_)) !=
           kInvariant.end();
  }

  void Prelude() {
    if (!w_.empty() && w_[0] == U'\'') w_.erase(0, 1);
    if (!w_.empty() && w_[0] == U'y') {
      w_[0] = U'Y';
      y_found_ = true;
    }
    for (size_t i = 1; i < w_.size(); ++i) {
      if (w_[i] == U'y' && V(i - 1)) {
        w_[i] = U'Y';
        y_found_ = true;
      }
    }
  }

  // R1 starts after the first non-vowel that follows a vowel (or after gener/commun/arsen);
  // R2 is the same rule applied from R1. Either is the empty end when there is none.
  size_t RegionAfter(size_t from) const {
    size_t i = from;
    while (i < w_.size() && !V(i)) ++i;
    while (i < w_.size() && V(i)) ++i;
    return i < w_.size() ? i + 1 : w_.size();
  }
  void MarkRegions() {
    p1_ = w_.size();
    bool prefixed = false;
    for (std::u32string_view prefix : {U"gener", U"commun", U"arsen"}) {
      if (w_.size() >= prefix.size() &&
          std::u32string_view(w_).substr(0, prefix.size()) == prefix) {
        p1_ = prefix.size();
        prefixed = true;
        break;
      }
    }
    if (!prefixed) p1_ = RegionAfter(0);
    p2_ = RegionAfter(p1_);
  }

  void Step0() {
    for (std::u32string_view s : {U"'s'", U"'s", U"'"}) {
      if (EndsWith(s)) {
        Replace(s.size(), U"");
        return;
      }
    }
  }

  void Step1a() {
    if (EndsWith(U"sses")) {
      Replace(4, U"ss");
    } else if (EndsWith(U"ied") || EndsWith(U"ies")) {
      Replace(3, w_.size() > 4 ? U"i" : U"ie");
    } else if (EndsWith(U"us") || EndsWith(U"ss")) {
      // Unchanged.
    } else if (EndsWith(U"s")) {
      // A vowel somewhere before the letter that precedes the s.
      if (w_.size() >= 2 && HasVowelBefore(w_.size() - 2)) w_.pop_back();
    }
  }

  void Step1b() {
    // Longest of eedly, ingly, edly, eed, ing, ed.
    for (std::u32string_view s : {U"eedly", U"eed"}) {
      if (EndsWith(s)) {
        if (w_.size() - s.size() >= p1_) Replace(s.size(), U"ee");
        return;
      }
    }
    for (std::u32string_view s : {U"ingly", U"edly", U"ing", U"ed"}) {
      if (!EndsWith(s)) continue;
      if (!HasVowelBefore(w_.size() - s.size())) return;
      Replace(s.size(), U"");
      if (EndsWith(U"at") || EndsWith(U"bl") || EndsWith(U"iz")) {
        w_.push_back(U'e');
      } else if (EndsWithDouble()) {
        w_.pop_back();
      } else if (p1_ >= w_.size() && ShortSyllableEndingAt(w_.size())) {
        w_.push_back(U'e');
      }
      return;
    }
  }
  bool EndsWithDouble() const {
    const size_t n = w_.size();
    if (n < 2 || w_[n - 1] != w_[n - 2]) return false;
    return std::u32string_view(U"bdfgmnprt").find(w_[n - 1]) != std::u32string_view::npos;
  }

  void Step1c() {
    const size_t n = w_.size();
    if (n >= 3 && (w_[n - 1] == U'y' || w_[n - 1] == U'Y') && !V(n - 2)) w_[n - 1] = U'i';
  }

  // Finds the longest rule suffix of the word; applies it when the suffix starts in the region
  // (at or after `region`) and its condition holds. A longest match that fails stops the step.
  template <size_t N>
  void ApplyLongest(const std::array<Rule, N>& rules, size_t region) {
    const Rule* best = nullptr;
    for (const Rule& r : rules) {
      if (EndsWith(r.suffix) && (best == nullptr || r.suffix.size() > best->suffix.size())) {
        best = &r;
      }
    }
    if (best == nullptr) return;
    const size_t start = w_.size() - best->suffix.size();
    if (start < region) return;
    switch (best->condition) {
      case 'l':
        if (start == 0 || w_[start - 1] != U'l') return;
        break;
      case 'L':
        if (start == 0 || std::u32string_view(U"cdeghkmnrt").find(w_[start - 1]) ==
                              std::u32string_view::npos) {
          return;
        }
        break;
      case '2':
        if (start < p2_) return;
        break;
      case 's':
        if (start == 0 || (w_[start - 1] != U's' && w_[start - 1] != U't')) return;
        break;
      default:
        break;
    }
    Replace(best->suffix.size(), best->replacement);
  }

  void Step2() {
    static constexpr std::array<Rule, 24> kRules = {{
        {U"tional", U"tion"}, {U"enci", U"ence"},    {U"anci", U"ance"},   {U"abli", U"able"},
        {U"entli", U"ent"},   {U"izer", U"ize"},     {U"ization", U"ize"}, {U"ational", U"ate"},
        {U"ation", U"ate"},   {U"ator", U"ate"},     {U"alism", U"al"},    {U"aliti", U"al"},
        {U"alli", U"al"},     {U"fulness", U"ful"},  {U"ousli", U"ous"},   {U"ousness", U"ous"},
        {U"iveness", U"ive"}, {U"iviti", U"ive"},    {U"biliti", U"ble"},  {U"bli", U"ble"},
        {U"ogi", U"og", 'l'}, {U"fulli", U"ful"},    {U"lessli", U"less"}, {U"li", U"", 'L'},
    }};
    ApplyLongest(kRules, p1_);
  }

  void Step3() {
    static constexpr std::array<Rule, 9> kRules = {{
        {U"tional", U"tion"},
        {U"ational", U"ate"},
        {U"alize", U"al"},
        {U"icate", U"ic"},
        {U"iciti", U"ic"},
        {U"ical", U"ic"},
        {U"ful", U""},
        {U"ness", U""},
        {U"ative", U"", '2'},
    }};
    ApplyLongest(kRules, p1_);
  }

  void Step4() {
    static constexpr std::array<Rule, 18> kRules = {{
        {U"al", U""},   {U"ance", U""}, {U"ence", U""},  {U"er", U""},   {U"ic", U""},
        {U"able", U""}, {U"ible", U""}, {U"ant", U""},   {U"ement", U""}, {U"ment", U""},
        {U"ent", U""},  {U"ism", U""},  {U"ate", U""},   {U"iti", U""},  {U"ous", U""},
        {U"ive", U""},  {U"ize", U""},  {U"ion", U"", 's'},
    }};
    ApplyLongest(kRules, p2_);
  }

  void Step5() {
    const size_t n = w_.size();
    if (EndsWith(U"e")) {
      const size_t start = n - 1;
      if (start >= p2_ || (start >= p1_ && !ShortSyllableEndingAt(start))) w_.pop_back();
    } else if (EndsWith(U"l")) {
      const size_t start = n - 1;
      if (start >= p2_ && start > 0 && w_[start - 1] == U'l') w_.pop_back();
    }
  }

  std::u32string w_;
  size_t p1_ = 0;
  size_t p2_ = 0;
  bool y_found_ = false;
};

// Mongo's English stop words (its text index's list) without the contractions, plus the
// pieces of the contractions when words are split at apostrophes. Sorted, for binary search.
constexpr std::string_view kStopWords[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "aren", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "cannot", "could", "couldn", "d", "did", "didn", "do", "does", "doesn",
    "doing", "don", "down", "during", "each", "few", "for", "from", "further", "had", "hadn",
    "has", "hasn", "have", "haven", "having", "he", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "i", "if", "in", "into", "is", "isn", "it", "its", "itself", "ll",
    "m", "me", "more", "most", "mustn", "my", "myself", "no", "nor", "not", "of", "off", "on",
    "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "re",
    "s", "same", "shan", "she", "should", "shouldn", "so", "some", "such", "t", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "ve", "very", "was", "wasn", "we",
    "were", "weren", "what", "when", "where", "which", "while", "who", "whom", "why", "with",
    "would", "wouldn", "you", "your", "yours", "yourself", "yourselves",
};
static_assert(std::is_sorted(std::begin(kStopWords), std::end(kStopWords)));

}  // namespace

std::string StemEnglish(absl::string_view word) {
  return Encode(Porter2(Decode(word)).Run());
}

bool IsEnglishStopWord(absl::string_view word) {
  return std::binary_search(std::begin(kStopWords), std::end(kStopWords),
                            std::string_view(word.data(), word.size()));
}

}  // namespace recplat::common
