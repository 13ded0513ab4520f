#include "tools/renewal_sim/mind_data.h"

#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;

// One user while reading behaviors.tsv.
struct Reading {
  SimUser user;
  std::unordered_set<int64_t> clicked;
};

}  // namespace

std::string IsoSeconds(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S", t, absl::UTCTimeZone());
}

json ArticleDocument(const MindArticle& a, absl::Time published) {
  return json{{"article_id", a.article_id},
              {"url", a.url},
              {"title", a.title},
              {"summary", a.abstract},
              {"authors", json::array()},
              {"keywords", {a.category, a.subcategory}},
              {"lang", "en"},
              {"publish_date", IsoSeconds(published)},
              {"metrics", {{"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}, {"clicks", 0}}},
              {"site", {{"name", "MSN"}, {"url", "https://www.msn.com"}}}};
}

absl::StatusOr<MindData> LoadMind(const std::string& dir, const MindLoadOptions& options) {
  MindData data;
  std::unordered_map<std::string, size_t> by_mind_id;
  {
    std::ifstream news(dir + "/news.tsv");
    if (!news) return absl::NotFoundError(absl::StrCat("mind: cannot read ", dir, "/news.tsv"));
    std::string line;
    while (std::getline(news, line)) {
      if (options.max_articles != 0 && data.articles.size() >= options.max_articles) break;
      std::vector<std::string> f = absl::StrSplit(line, '\t');
      if (f.size() < 2 || f[0].empty() || by_mind_id.contains(f[0])) continue;
      f.resize(std::max<size_t>(f.size(), 6));
      MindArticle a;
      a.article_id = static_cast<int64_t>(data.articles.size()) + 1;
      a.mind_id = f[0];
      a.category = f[1];
      a.subcategory = f[2];
      a.title = f[3];
      a.abstract = f[4];
      a.url = f[5];
      by_mind_id[a.mind_id] = data.articles.size();
      data.articles.push_back(std::move(a));
    }
  }
  if (data.articles.empty()) return absl::InvalidArgumentError("mind: no news in news.tsv");

  std::ifstream behaviors(dir + "/behaviors.tsv");
  if (!behaviors) {
    return absl::NotFoundError(absl::StrCat("mind: cannot read ", dir, "/behaviors.tsv"));
  }
  std::unordered_map<std::string, size_t> user_index;
  std::vector<Reading> all;
  std::string line;
  while (std::getline(behaviors, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 4) continue;
    auto [it, inserted] = user_index.try_emplace(f[1], all.size());
    if (inserted) {
      all.emplace_back();
      all.back().user.user_id = f[1];
    }
    Reading& reading = all[it->second];
    auto click = [&](absl::string_view mind_id) {
      auto n = by_mind_id.find(std::string(mind_id));
      if (n == by_mind_id.end()) return;
      const MindArticle& a = data.articles[n->second];
      if (!reading.clicked.insert(a.article_id).second) return;  // counted once per user
      SimUser& u = reading.user;
      ++u.category_clicks[a.category];
      ++u.subcategory_clicks[a.subcategory];
      ++u.known_clicks;
      u.clicked_articles.push_back(a.article_id);
      ++data.category_clicks[a.category];
      ++data.subcategory_clicks[a.subcategory];
      ++data.total_clicks;
    };
    for (absl::string_view id : absl::StrSplit(f[3], ' ', absl::SkipEmpty())) click(id);
    if (f.size() > 4) {
      for (absl::string_view imp : absl::StrSplit(f[4], ' ', absl::SkipEmpty())) {
        const size_t dash = imp.rfind('-');
        if (dash == absl::string_view::npos) continue;
        const absl::string_view id = imp.substr(0, dash);
        const bool clicked = imp.substr(dash + 1) == "1";
        ++data.impressions;
        data.impression_clicks += clicked ? 1 : 0;
        if (auto n = by_mind_id.find(std::string(id)); n != by_mind_id.end()) {
          MindArticle& a = data.articles[n->second];
          ++a.impressions;
          a.clicks += clicked ? 1 : 0;
        }
        if (clicked) click(id);
      }
    }
  }
  for (Reading& reading : all) {
    if (options.max_users != 0 && data.users.size() >= options.max_users) break;
    if (reading.user.known_clicks < options.min_clicks) continue;
    data.users.push_back(std::move(reading.user));
  }
  return data;
}

MindData SyntheticMind(int64_t articles, int users, const std::vector<std::string>& categories) {
  MindData d;
  if (categories.empty()) return d;
  const auto category_of = [&categories](int64_t i) -> const std::string& {
    return categories[static_cast<size_t>(i) % categories.size()];
  };
  for (int64_t i = 1; i <= articles; ++i) {
    MindArticle a;
    a.article_id = i;
    a.mind_id = absl::StrCat("N", i);
    a.category = category_of(i);
    a.subcategory = a.category + (i % 2 == 0 ? "_a" : "_b");
    a.title = absl::StrCat(a.category, " story number ", i);
    a.abstract = "Something happened.";
    a.url = absl::StrCat("https://example.org/", i);
    a.impressions = 100;
    a.clicks = 5 + i % 7;
    d.category_clicks[a.category] += a.clicks;
    d.subcategory_clicks[a.subcategory] += a.clicks;
    d.total_clicks += a.clicks;
    d.impressions += a.impressions;
    d.impression_clicks += a.clicks;
    d.articles.push_back(std::move(a));
  }
  for (int u = 0; u < users; ++u) {
    SimUser user;
    user.user_id = absl::StrCat("U", u);
    const std::string& fond = category_of(u);
    user.category_clicks[fond] = 5;
    user.subcategory_clicks[fond + "_a"] = 5;
    user.known_clicks = 5;
    d.users.push_back(std::move(user));
  }
  return d;
}

}  // namespace recplat::renewal_sim
