// File: eosc_text.h
//
// The words of EOSC's full-text search (the original's Mongo `$text` index over a service's
// name, description and tagline, English): text is split into words at every character that is
// not an ASCII letter or digit (other bytes, e.g. UTF-8 letters, stay inside words; an apostrophe
// splits), lower-cased, Mongo's English stop words dropped, and each word reduced by the Snowball
// English ("Porter2") stemmer as Mongo's English text index does (core/common/english_stemmer.h),
// so that "clouds", "Cloud" and "clouding" all match "cloud", and "computing" meets "compute".
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

// The Porter2 stem of a lower-case word (common::StemEnglish).
std::string Stem(absl::string_view word);

}  // namespace recplat::http::eosc
