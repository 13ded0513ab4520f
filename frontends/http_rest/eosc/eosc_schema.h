// File: eosc_schema.h
//
// The payloads of the EOSC Marketplace recommender (../shared/specs/seed-systems.md 2.4-2.6),
// both generations (the 2021 seed and the 2024 superset), decoded from JSON and validated the
// way flask-restx validates them (`@api.expect(model, validate=True)`, jsonschema Draft 4):
// every violation is collected as (field path, message), the path dot-joined as flask-restx
// does ("search_data.categories.0", "action.order") and the message jsonschema's ("'unique_id'
// is a required property", "'x' is not of type 'integer'"). Extra fields are allowed.
//
// Where the schema leaves a list optional, an absent or null list reads as empty.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace recplat::http::eosc {

// Field path -> message; empty when the payload is valid.
using SchemaErrors = std::map<std::string, std::string>;

struct SearchData {
  std::string q;
  std::vector<int64_t> categories;
  std::vector<std::string> geographical_availabilities;
  std::vector<int64_t> providers;
  std::vector<int64_t> related_platforms;
  std::vector<int64_t> scientific_domains;
  std::vector<int64_t> target_users;
};

// POST /recommendations.
struct RecommendationContext {
  std::optional<int64_t> user_id;
  std::string unique_id;
  std::string timestamp;
  std::string visit_id;
  std::string page_id;
  // Absent and null read as "".
  std::string panel_id;
  SearchData search_data;
  // 2024 fields.
  std::optional<std::string> engine_version;
  // Present (possibly empty) when the request has the key with a list.
  std::optional<std::vector<int64_t>> candidates;
  std::optional<std::string> client_id;
  std::optional<std::string> aai_uid;
  // True when any 2024 field is present: the answer then has the 2024 shape.
  bool head_style = false;
};

// POST /user_actions.
struct UserAction {
  std::optional<int64_t> user_id;
  std::string unique_id;
  std::string timestamp;
  std::string source_visit_id;
  std::string source_page_id;
  bool has_root = false;
  std::string root_type;
  std::string root_panel_id;
  // The service the root names: seed `service_id`, or 2024 `resource_id` (when `resource_type`
  // is absent or "service").
  std::optional<int64_t> root_service_id;
  std::string target_visit_id;
  std::string target_page_id;
  std::string action_type;
  std::string action_text;
  bool action_order = false;
  std::optional<std::string> client_id;
  std::optional<std::string> aai_uid;
};

struct Service {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::string tagline;
  std::string status;
  std::vector<std::string> countries;
  std::vector<int64_t> categories, providers, scientific_domains, platforms, target_users,
      access_modes, access_types, trls, life_cycle_statuses, research_steps;
  std::optional<int64_t> resource_organisation;
};

struct DumpUser {
  int64_t id = 0;
  std::optional<std::string> aai_uid;
  std::vector<int64_t> scientific_domains;
  std::vector<int64_t> categories;
  // In temporal order.
  std::vector<int64_t> accessed_services;
};

// POST /database_dumps and /update. The named collections (categories, providers, ...) are
// validated (list of objects with an integer id); the catalogue needs only their ids, which the
// services reference.
struct Dump {
  std::vector<Service> services;
  std::vector<DumpUser> users;
};

// The 2021 top-level collections of a dump, all required lists.
inline constexpr const char* kDumpCollections[] = {
    "categories",   "providers", "scientific_domains", "platforms", "target_users", "access_modes",
    "access_types", "trls",      "life_cycle_statuses"};

// Each returns the decoded payload, or fills `errors` (then the result is unspecified).
RecommendationContext ParseRecommendationContext(const nlohmann::json& body, SchemaErrors* errors);
UserAction ParseUserAction(const nlohmann::json& body, SchemaErrors* errors);
Dump ParseDump(const nlohmann::json& body, SchemaErrors* errors);

}  // namespace recplat::http::eosc
