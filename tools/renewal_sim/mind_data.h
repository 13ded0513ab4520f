// File: mind_data.h
//
// The simulator's data from a MIND sample (news.tsv, behaviors.tsv; ../shared/datasets/
// mind-small-sample or any file pair in that format):
//  - each news becomes a Renewal article (seed-systems.md §1.6) with int id 1..N in file order,
//    with its MIND impression statistics (times shown and clicked over all impression rows);
//  - each MIND user with enough known clicks becomes a simulated user whose preferences are the
//    counts of their known clicks (history plus clicked impressions, counting only news present
//    in news.tsv) per category and per subcategory;
//  - population statistics: click counts per category and subcategory over all users, and the
//    overall click-through rate of the impression rows.
// How these become click probabilities is user_model.h.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim {

struct MindArticle {
  int64_t article_id = 0;
  std::string mind_id;  // e.g. "N34700"
  std::string category;
  std::string subcategory;
  std::string title;
  std::string abstract;
  std::string url;
  // Impression rows (over all of behaviors.tsv) where it was a candidate, and where clicked.
  int64_t impressions = 0;
  int64_t clicks = 0;
};

struct SimUser {
  std::string user_id;  // the MIND user id, e.g. "U81994"
  // Known clicks per category / subcategory (sum = known_clicks).
  std::map<std::string, int64_t> category_clicks;
  std::map<std::string, int64_t> subcategory_clicks;
  int64_t known_clicks = 0;
  // Article ids of the known clicks, history first, without repeats.
  std::vector<int64_t> clicked_articles;
};

struct MindData {
  std::vector<MindArticle> articles;  // by article_id ascending (article_id = index + 1)
  std::vector<SimUser> users;
  // Population click counts (over every user in behaviors.tsv, not only the kept ones).
  std::map<std::string, int64_t> category_clicks;
  std::map<std::string, int64_t> subcategory_clicks;
  int64_t total_clicks = 0;
  // Impression rows and clicked ones, over all candidates (known news or not).
  int64_t impressions = 0;
  int64_t impression_clicks = 0;
};

struct MindLoadOptions {
  // At most this many news (0: all).
  size_t max_articles = 0;
  // At most this many users (first in file order with at least min_clicks known clicks;
  // 0: all).
  size_t max_users = 50;
  int64_t min_clicks = 3;
};

// Reads <dir>/news.tsv and <dir>/behaviors.tsv. NOT_FOUND when a file is missing,
// INVALID_ARGUMENT when news.tsv yields no article.
absl::StatusOr<MindData> LoadMind(const std::string& dir, const MindLoadOptions& options);

// The Renewal Article document of `article` published at `published`: keywords = [category,
// subcategory], site MSN, zero metrics, no contents.
nlohmann::json ArticleDocument(const MindArticle& article, absl::Time published);

// A small synthetic MIND-like data set, for tests and demos without the dataset: articles
// 1..`articles`, article i in category categories[i % size] and subcategory "<category>_a" (even
// i) or "<category>_b" (odd i), 100 impressions and 5 + i % 7 clicks; users U0..U<users-1>,
// user u fond of categories[u % size] (5 known clicks in it and in its "_a" subcategory). The
// population statistics are those of the articles. `categories` must not be empty.
MindData SyntheticMind(int64_t articles, int users, const std::vector<std::string>& categories);

// "YYYY-MM-DDTHH:MM:SS" (naive UTC, the backend's publish_date format).
std::string IsoSeconds(absl::Time t);

}  // namespace recplat::renewal_sim
