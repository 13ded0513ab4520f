// File: text.h
//
// Message helpers shared by the config loader's visitors (private to core/config): dotted key
// paths, quoting of user text in errors, and "did you mean" suggestions.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recplat::config::internal {

// "a.b" from ("a", "b"); just `key` when `prefix` is empty.
std::string JoinPath(absl::string_view prefix, absl::string_view key);

// `text` in single quotes for an error message: non-printable bytes escaped, cut after 80
// bytes.
std::string Quote(absl::string_view text);

// What a message or listing shows of a field's value: Quote(text), or '<redacted>' for a
// non-empty secret.
std::string QuoteValue(absl::string_view text, bool secret);

// The marker printed instead of a secret value.
inline constexpr absl::string_view kRedacted = "<redacted>";

// INVALID_ARGUMENT "<source>: key '<key>': <problem>".
absl::Status KeyError(absl::string_view source, absl::string_view key, absl::string_view problem);

// The optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
// transpositions), or `limit + 1` when it exceeds `limit`.
int EditDistance(absl::string_view a, absl::string_view b, int limit);

// "; did you mean 'x'?" for the candidate nearest to `word` within edit distance 2 (1 for words
// of up to 4 characters, and always less than the length of `word`); ties go to the earliest
// candidate. Empty when none is near.
std::string Suggest(absl::string_view word, const std::vector<std::string>& candidates);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values > U+10FFFF).
bool IsValidUtf8(absl::string_view text);

}  // namespace recplat::config::internal
