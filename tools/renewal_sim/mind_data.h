// File: mind_data.h
//
// The simulator's data from a MIND sample (news.tsv, behaviors.tsv): news become Renewal
// articles (seed-systems.md §1.6) with int ids 1..N in file order, and each MIND user becomes
// a simulated user whose category affinity is the share of their clicks (history plus clicked
// impressions) per news category, counting only news present in news.tsv.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim {

struct MindArticle {
  int64_t article_id = 0;
  std::string mind_id;  // e.g. "N34700"
  std::string category;
  std::string subcategory;
  // The Renewal Article document (keywords = [category, subcategory], site MSN, no contents).
  nlohmann::json doc;
};

struct SimUser {
  std::string user_id;  // the MIND user id, e.g. "U81994"
  // category -> share of the user's known clicks in it (sums to 1).
  std::map<std::string, double> affinity;
  int64_t known_clicks = 0;
};

struct MindData {
  std::vector<MindArticle> articles;  // by article_id ascending (article_id = index + 1)
  std::vector<SimUser> users;
};

struct MindLoadOptions {
  // At most this many news (0: all).
  size_t max_articles = 0;
  // At most this many users (first in file order with at least min_clicks known clicks).
  size_t max_users = 50;
  int64_t min_clicks = 3;
};

// Reads <dir>/news.tsv and <dir>/behaviors.tsv. NOT_FOUND when a file is missing,
// INVALID_ARGUMENT when news.tsv yields no article.
absl::StatusOr<MindData> LoadMind(const std::string& dir, const MindLoadOptions& options);

}  // namespace recplat::renewal_sim
