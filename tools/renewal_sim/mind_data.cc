#include "tools/renewal_sim/mind_data.h"

#include <fstream>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;

json ArticleDoc(int64_t id, const std::vector<std::string>& f) {
  // Publication times: one minute apart from a fixed origin (MIND's collection period).
  const absl::Time published = absl::FromUnixSeconds(1573344000) + absl::Minutes(id);
  return json{
      {"article_id", id},
      {"url", f.size() > 5 ? f[5] : ""},
      {"title", f.size() > 3 ? f[3] : ""},
      {"summary", f.size() > 4 ? f[4] : ""},
      {"authors", json::array()},
      {"keywords", {f[1], f.size() > 2 ? f[2] : ""}},
      {"lang", "en"},
      {"publish_date", absl::FormatTime("%Y-%m-%dT%H:%M:%S", published, absl::UTCTimeZone())},
      {"metrics", {{"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}, {"clicks", 0}}},
      {"site", {{"name", "MSN"}, {"url", "https://www.msn.com"}}}};
}

}  // namespace

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
      MindArticle a;
      a.article_id = static_cast<int64_t>(data.articles.size()) + 1;
      a.mind_id = f[0];
      a.category = f[1];
      a.subcategory = f.size() > 2 ? f[2] : "";
      a.doc = ArticleDoc(a.article_id, f);
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
  std::vector<SimUser> all;
  std::string line;
  while (std::getline(behaviors, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 4) continue;
    auto [it, inserted] = user_index.try_emplace(f[1], all.size());
    if (inserted) {
      all.emplace_back();
      all.back().user_id = f[1];
    }
    SimUser& user = all[it->second];
    auto count = [&](const std::string& mind_id) {
      if (auto n = by_mind_id.find(mind_id); n != by_mind_id.end()) {
        user.affinity[data.articles[n->second].category] += 1;
        ++user.known_clicks;
      }
    };
    // The history repeats across a user's impressions: count it once.
    if (inserted) {
      for (absl::string_view id : absl::StrSplit(f[3], ' ', absl::SkipEmpty())) {
        count(std::string(id));
      }
    }
    if (f.size() > 4) {
      for (absl::string_view imp : absl::StrSplit(f[4], ' ', absl::SkipEmpty())) {
        if (imp.size() > 2 && imp.substr(imp.size() - 2) == "-1") {
          count(std::string(imp.substr(0, imp.size() - 2)));
        }
      }
    }
  }
  for (SimUser& user : all) {
    if (data.users.size() >= options.max_users) break;
    if (user.known_clicks < options.min_clicks) continue;
    for (auto& [category, share] : user.affinity) share /= static_cast<double>(user.known_clicks);
    data.users.push_back(std::move(user));
  }
  return data;
}

}  // namespace recplat::renewal_sim
