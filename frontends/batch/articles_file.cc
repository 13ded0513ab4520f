// Article metadata file (articles_file.h).
#include "frontends/batch/articles_file.h"

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/common/json.h"
#include "frontends/batch/snowplow_decode.h"
#include "nlohmann/json.hpp"

namespace recplat::batch {

absl::StatusOr<std::vector<Article>> ParseArticlesJsonLines(absl::string_view text) {
  std::vector<Article> out;
  absl::flat_hash_set<std::string> paths;
  absl::flat_hash_set<int64_t> ids;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    const absl::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == absl::string_view::npos ? text.size() : nl + 1);
    if (absl::StripAsciiWhitespace(line).empty()) {
      continue;
    }
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("articles file line ", line_no, ": ", why));
    };
    const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (!j.is_object()) {
      return bad("not a JSON object");
    }
    Article a;
    const auto id = j.find("external_id");
    std::optional<int64_t> external_id;
    if (id != j.end() && !id->is_string()) {
      external_id = common::JsonInteger(*id);
    }
    if (!external_id) {
      return bad("external_id must be an integer");
    }
    a.external_id = *external_id;
    const auto path = j.find("path");
    if (path == j.end() || !path->is_string() || path->get_ref<const std::string&>().empty()) {
      return bad("path must be a non-empty string");
    }
    a.path = path->get<std::string>();
    if (const auto title = j.find("title"); title != j.end() && !title->is_null()) {
      if (!title->is_string()) {
        return bad("title must be a string");
      }
      a.title = title->get<std::string>();
    }
    if (const auto p = j.find("published_at"); p != j.end() && !p->is_null()) {
      if (!p->is_string()) {
        return bad("published_at must be an ISO-8601 string or null");
      }
      absl::StatusOr<int64_t> ms = ParseTimestampMs(p->get_ref<const std::string&>());
      if (!ms.ok()) {
        return bad(ms.status().message());
      }
      a.published_at_ms = *ms;
    }
    if (!paths.insert(a.path).second) {
      return bad(absl::StrCat("path ", a.path, " appears twice"));
    }
    if (!ids.insert(a.external_id).second) {
      return bad(absl::StrCat("external_id ", a.external_id, " appears twice"));
    }
    out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<std::vector<Article>> ReadArticlesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open the articles file ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(absl::StrCat("cannot read the articles file ", path));
  }
  absl::StatusOr<std::vector<Article>> parsed = ParseArticlesJsonLines(text.str());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

}  // namespace recplat::batch
