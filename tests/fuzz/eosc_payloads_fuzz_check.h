// File: eosc_payloads_fuzz_check.h
//
// The property the EOSC route set's payload decoders must keep for arbitrary bytes, shared by
// the libFuzzer target (eosc_payloads_fuzz.cc) and the deterministic mutation test that runs in
// CI with any compiler (tests/frontends/eosc/eosc_mutation_test.cc). Seeds live in
// tests/fuzz/corpus/eosc_payloads/ (bodies of /recommendations, /user_actions and dumps).
//
// Property: the body is decoded by the bounded JSON parser (OK or INVALID_ARGUMENT), then by each
// of ParseRecommendationContext, ParseUserAction and ParseDump without throwing or crashing;
// whatever they accept encodes into core messages (SearchQuery, EncodeUserAction, EncodeDump)
// without throwing, with at most 256 labels of at most 256 bytes per service, and every error
// and document body serialises as JSON.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "frontends/http_rest/eosc/eosc_codec.h"
#include "frontends/http_rest/eosc/eosc_schema.h"
#include "frontends/http_rest/json_fields.h"
#include "nlohmann/json.hpp"

namespace recplat::fuzz {

inline std::string CheckEoscPayloadsProperty(absl::string_view data) {
  namespace eosc = http::eosc;
  using nlohmann::json;
  absl::StatusOr<json> body = http::json_fields::ParseJsonText(data, data.size() + 1, 64);
  if (!body.ok()) {
    return body.status().code() == absl::StatusCode::kInvalidArgument
               ? ""
               : absl::StrCat("unexpected parse status ", body.status().ToString());
  }
  try {
    auto dump_errors = [](const eosc::SchemaErrors& errors) {
      json e = json::object();
      for (const auto& [k, v] : errors) e[k] = v;
      (void)e.dump(-1, ' ', false, json::error_handler_t::replace);
    };
    eosc::SchemaErrors errors;
    eosc::RecommendationContext context = eosc::ParseRecommendationContext(*body, &errors);
    dump_errors(errors);
    if (errors.empty()) {
      v1::CatalogQuery q = eosc::SearchQuery(context.search_data);
      for (const auto& clause : q.label_clauses()) {
        if (clause.labels_size() == 0) return "empty label clause";
      }
    }
    errors.clear();
    eosc::UserAction action = eosc::ParseUserAction(*body, &errors);
    dump_errors(errors);
    if (errors.empty()) {
      v1::WriteRequest w = eosc::EncodeUserAction(action, *body, "1", "default", 0, true);
      if (w.ops_size() == 0) return "a user action wrote nothing";
    }
    errors.clear();
    eosc::Dump dump = eosc::ParseDump(*body, &errors);
    dump_errors(errors);
    if (errors.empty()) {
      v1::WriteRequest w = eosc::EncodeDump(dump, eosc::ExistingState{}, "default", 0);
      for (const v1::WriteOp& op : w.ops()) {
        if (!op.has_upsert_item()) continue;
        if (op.upsert_item().categories_size() > 256) return "more than 256 labels";
        for (const std::string& label : op.upsert_item().categories()) {
          if (label.size() > 256) return absl::StrCat("label too long: ", label.size());
        }
      }
    }
  } catch (const std::exception& e) {
    return absl::StrCat("threw: ", e.what());
  }
  return "";
}

}  // namespace recplat::fuzz
