// article-rec-api JSON shapes (article_rec_codec.h).
#include "frontends/http_rest/article_rec/article_rec_codec.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace recplat::http::article_rec {

int64_t ModelId(ModelType type, int64_t version) {
  return 2 * version + (type == ModelType::kPopularity ? 1 : 0);
}

std::optional<std::pair<ModelType, int64_t>> DecodeModelId(int64_t id) {
  if (id < 2) {
    return std::nullopt;
  }
  return std::make_pair(id % 2 == 0 ? ModelType::kArticle : ModelType::kPopularity, id / 2);
}

std::string IsoTime(int64_t ms) {
  const absl::Time t = absl::FromUnixMillis(ms);
  const int64_t micros = (ms % 1000 + 1000) % 1000 * 1000;
  return micros == 0 ? absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", t, absl::UTCTimeZone())
                     : absl::FormatTime("%Y-%m-%dT%H:%M:%E6S+00:00", t, absl::UTCTimeZone());
}

std::string StatusName(v1::ModelStatus status) {
  switch (status) {
    case v1::MODEL_STATUS_CURRENT:
      return "current";
    case v1::MODEL_STATUS_STALE:
      return "stale";
    case v1::MODEL_STATUS_FAILED:
      return "failed";
    default:
      return "pending";
  }
}

std::string ScoreText(double score) { return absl::StrFormat("%.6f", score); }

nlohmann::json ModelJson(ModelType type, const v1::ModelVersion& version) {
  const int64_t updated =
      version.promoted_at_ms() > 0 ? version.promoted_at_ms() : version.created_at_ms();
  return {{"id", ModelId(type, version.version())},
          {"created_at", IsoTime(version.created_at_ms())},
          {"updated_at", IsoTime(updated)},
          {"type", TypeName(type)},
          {"status", StatusName(version.status())}};
}

nlohmann::json ArticleJson(const v1::Item& item) {
  int64_t external_id = 0;
  nlohmann::json external = item.id();
  if (absl::SimpleAtoi(item.id(), &external_id)) {
    external = external_id;
  }
  nlohmann::json published = nullptr;
  if (const auto it = item.numeric_attributes().find("published_at_ms");
      it != item.numeric_attributes().end()) {
    published = IsoTime(static_cast<int64_t>(it->second));
  }
  const auto path = item.categorical_attributes().find("path");
  return {{"id", static_cast<int64_t>(item.index()) + 1},
          {"created_at", IsoTime(item.updated_at_ms())},
          {"updated_at", IsoTime(item.updated_at_ms())},
          {"external_id", external},
          {"title", item.title()},
          {"path", path == item.categorical_attributes().end() ? "" : path->second},
          {"published_at", published}};
}

}  // namespace recplat::http::article_rec
