// File: english_stemmer.h
//
// The Snowball English stemmer ("Porter2", Martin Porter's revision of his 1980 algorithm),
// as MongoDB's English `$text` index applies it (through libstemmer), written from the
// published description (snowballstem.org/algorithms/english/stemmer.html): the prelude
// (initial apostrophe, consonant y -> Y), the regions R1/R2 with the gener/commun/arsen
// prefixes, steps 0, 1a, 1b, 1c, 2, 3, 4, 5, the exceptional forms (skis, skies, dying, lying,
// tying, idly, gently, ugly, early, only, singly; sky, news, howe, atlas, cosmos, bias, andes
// invariant) and the invariants after step 1a (inning, outing, canning, herring, earring,
// proceed, exceed, succeed).
//
// What it is not: a tokenizer or a case folder. Input is one lower-case word; the letters the
// algorithm knows are ASCII, every other character (UTF-8 letters included) is a consonant,
// exactly as in libstemmer's UTF-8 English stemmer. Characters are counted as UTF-8 code
// points; bytes that are not valid UTF-8 each count as one character and come out unchanged.
// Any byte string is accepted and never makes it fail.
//
// Also: Mongo's English stop-word list (the words its English text index drops), for callers
// that tokenize text the way `$text` does.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace recplat::common {

// The Porter2 stem of `word` (lower-case; words of fewer than 3 characters are returned as they
// are). E.g. "consignment" -> "consign", "generously" -> "generous", "skies" -> "sky".
std::string StemEnglish(absl::string_view word);

// True when `word` (lower-case, no apostrophes) is one of the English stop words Mongo's text
// index drops ("the", "and", "about", "ourselves", ...). Contractions ("don't") are not in the
// list: callers that split words at apostrophes see their pieces ("don", "t") and "t", "s",
// "d", "ll", "m", "re", "ve" are listed so those pieces are dropped too.
bool IsEnglishStopWord(absl::string_view word);

}  // namespace recplat::common
