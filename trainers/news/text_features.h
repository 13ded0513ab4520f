// File: text_features.h
//
// Content features of news articles for the `news` family: every article becomes an
// L2-normalised sparse TF-IDF vector over the terms of its keywords (categories), title and the
// head of its text, each field with its own weight. Keywords are kept whole as one term each
// ("kw:<lowercased keyword>"), so a keyword like "us news" never matches the word "news";
// title and text are split into words.
//
// Tokenisation: a word is a maximal run of ASCII letters, digits and non-ASCII bytes (so UTF-8
// words such as "été" stay whole; non-ASCII letters are not case-folded), ASCII lowercased;
// words shorter than 2 bytes, pure numbers and a small English stop list are dropped.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/models/training_data.h"

namespace recplat::news {

// Splits `text` into words per the rules above, appending them to `out`.
void Tokenize(std::string_view text, std::vector<std::string>* out);

struct FieldWeights {
  double keywords = 3.0;
  double title = 1.0;
  double text = 0.3;
  // Words (not keywords) found in more than this share of the documents are dropped.
  double max_document_frequency = 0.5;
};

// Sparse rows in compressed form: row r is terms/weights[offsets[r] .. offsets[r+1]), terms
// ascending, unique.
struct SparseRows {
  std::vector<uint32_t> offsets{0};
  std::vector<uint32_t> terms;
  std::vector<float> weights;

  size_t rows() const { return offsets.size() - 1; }
  size_t nnz() const { return terms.size(); }
};

struct ContentIndex {
  // One row per item (empty for items without text or not live); L2 norm 1 otherwise.
  SparseRows items;
  // Number of distinct terms (term ids are 0..num_terms-1).
  uint32_t num_terms = 0;
};

// Builds the TF-IDF vectors of `items`: tf = the field weight summed over the term's
// occurrences (sub-linear: 1 + log(count) per field), idf = log((1 + N) / (1 + df)) + 1 with N
// the number of live items with any term. Items with live == false get empty rows. Words in
// more than max_document_frequency × N documents are left out of the rows (they keep a term id).
ContentIndex BuildContentIndex(const std::vector<models::ItemInfo>& items,
                               const FieldWeights& weights);

// Term -> items postings (the transpose of `rows`), for accumulating dot products.
SparseRows Transpose(const SparseRows& rows, uint32_t num_columns);

}  // namespace recplat::news
