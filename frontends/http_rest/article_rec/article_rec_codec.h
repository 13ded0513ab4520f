// File: article_rec_codec.h
//
// The JSON shapes of article-rec-api (seed-systems.md §4.8) built from the core's messages:
// Model {"id", "created_at", "updated_at", "type", "status"}, Article {"id", "created_at",
// "updated_at", "external_id", "title", "path", "published_at"} and Rec {"id", "created_at",
// "updated_at", "source_entity_id", "model", "recommended_article", "score"}; times as Python's
// isoformat() of an aware datetime ("2021-06-01T12:00:00+00:00", microseconds when non-zero),
// scores as DECIMAL(7,6) text.
//
// Model ids: the original numbers every model of every type from one sequence. Here a model is
// a registry version of the configured model of its type, and its id is 2 × version for type
// `article` and 2 × version + 1 for type `popularity`: a bijection every process computes alike
// with no shared counter, increasing from one batch run to the next.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/models.pb.h"

namespace recplat::http::article_rec {

enum class ModelType { kArticle, kPopularity };

inline const char* TypeName(ModelType t) {
  return t == ModelType::kArticle ? "article" : "popularity";
}

int64_t ModelId(ModelType type, int64_t version);
// The type and version of `id`; nullopt for ids no model can have (< 2).
std::optional<std::pair<ModelType, int64_t>> DecodeModelId(int64_t id);

// Python's datetime.isoformat() in UTC of Unix epoch milliseconds.
std::string IsoTime(int64_t ms);
// "pending", "current", "stale", "failed".
std::string StatusName(v1::ModelStatus status);
// A score as DECIMAL(7,6) prints it: "0.912345".
std::string ScoreText(double score);

nlohmann::json ModelJson(ModelType type, const v1::ModelVersion& version);
// The article of an item the batch job wrote (id = external id, attribute `path`, numeric
// attribute `published_at_ms` when known). The article's `id` is its dense index + 1.
nlohmann::json ArticleJson(const v1::Item& item);

}  // namespace recplat::http::article_rec
