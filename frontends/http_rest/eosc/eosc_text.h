// File: eosc_text.h
//
// The words of EOSC's full-text search (the original's Mongo `$text` index over a service's
// name, description and tagline, English): text is split into words at every character that is
// not an ASCII letter or digit (other bytes, e.g. UTF-8 letters, stay inside words), lower-cased,
// English stop words dropped, and each word reduced by step 1 of Porter's stemmer (plurals,
// -ed, -ing, y -> i), so that "clouds", "Cloud" and "clouding" all match "cloud".
//
// The same function encodes the catalogue (as item labels "w:<stem>", eosc_codec.h) and the
// query `q`, so both sides agree by construction.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace recplat::http::eosc {

// The distinct stems of `text`, in order of first appearance, at most `max_words`.
std::vector<std::string> SearchWords(absl::string_view text, size_t max_words = 1 << 20);

// Porter's step 1 (1a, 1b, 1c) on a lower-case word.
std::string Stem(absl::string_view word);

}  // namespace recplat::http::eosc
