// File: ecoseller_objects_fuzz_check.h
//
// The property the ecoseller `/store_object(s)` parsers must keep for arbitrary bytes, shared by
// the libFuzzer target (ecoseller_objects_fuzz.cc) and the deterministic mutation test that runs
// in CI with any compiler (tests/frontends/ecoseller/objects_mutation_test.cc). Seeds live in
// tests/fuzz/corpus/ecoseller_objects/ (bodies of /store_objects, or of /store_object).
//
// Property: ParseStoreObjects and ParseStoreObjectBody return (never throw or crash) OK or
// INVALID_ARGUMENT; an accepted array yields one object per element, each with a known class
// name; every accepted Config survives a ToStoredJson -> ParseEcosellerConfig round trip and
// serialises for the dashboard.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/config_object.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "nlohmann/json.hpp"

namespace recplat::fuzz {

// Empty when `object` keeps the per-object part of the property; otherwise what broke it.
inline std::string CheckEcosellerObject(const http::ecoseller::StoreObject& object,
                                        absl::Time now) {
  namespace eco = http::ecoseller;
  if (eco::ModelClassName(object).empty()) {
    return "parsed object has no class name";
  }
  const auto* config = std::get_if<eco::EcosellerConfig>(&object);
  if (config == nullptr) {
    return "";
  }
  // Both serialisations must not throw (dump() throws on invalid UTF-8).
  const std::string dashboard = config->ToDashboardJson().dump();
  const nlohmann::json stored = config->ToStoredJson();
  absl::StatusOr<eco::EcosellerConfig> reparsed = eco::ParseEcosellerConfig(stored, now);
  if (!reparsed.ok()) {
    return absl::StrCat("stored config does not parse back: ", reparsed.status().ToString(), "\n",
                        stored.dump());
  }
  if (!(*reparsed == *config)) {
    return absl::StrCat("stored config parses back to a different config: ", stored.dump(), " vs ",
                        reparsed->ToStoredJson().dump());
  }
  return "";
}

// Empty when the property holds for `data`; otherwise what broke it.
inline std::string CheckEcosellerObjectsProperty(absl::string_view data) {
  namespace eco = http::ecoseller;
  const absl::Time now = absl::FromUnixSeconds(1690884000) + absl::Nanoseconds(123456789);
  auto acceptable = [](const absl::Status& status) {
    return status.ok() || status.code() == absl::StatusCode::kInvalidArgument;
  };

  absl::StatusOr<std::vector<eco::StoreObject>> many = eco::ParseStoreObjects(data, now);
  if (!acceptable(many.status())) {
    return "ParseStoreObjects: unexpected status " + many.status().ToString();
  }
  if (many.ok()) {
    const nlohmann::json array = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!array.is_array() || array.size() != many->size()) {
      return "ParseStoreObjects: object count differs from the array's size";
    }
    for (const eco::StoreObject& object : *many) {
      if (std::string failure = CheckEcosellerObject(object, now); !failure.empty()) {
        return failure;
      }
    }
  }

  absl::StatusOr<eco::StoreObject> one = eco::ParseStoreObjectBody(data, now);
  if (!acceptable(one.status())) {
    return "ParseStoreObjectBody: unexpected status " + one.status().ToString();
  }
  return one.ok() ? CheckEcosellerObject(*one, now) : "";
}

}  // namespace recplat::fuzz
