// File: eosc_databus_payloads.h
//
// The payloads the eosc databus e2e tests exchange with the Marketplace side: a 4-service dump
// (the fuzz corpus's seed with services 1..4), a 2021 recommendation context from the
// marketplace, and a user action clicking a recommended service.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/testing/test_env.h"

namespace recplat::testing {

inline nlohmann::json EoscDatabusDump() {
  std::ifstream in(SourceDir() / "tests/fuzz/corpus/eosc_payloads/dump_seed.json");
  nlohmann::json dump = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  nlohmann::json service = dump["services"][0];
  dump["services"] = nlohmann::json::array();
  for (int id = 1; id <= 4; ++id) {
    service["id"] = id;
    dump["services"].push_back(service);
  }
  return dump;
}

inline nlohmann::json EoscDatabusContext() {
  return {{"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
          {"timestamp", "2021-03-18T18:49:55.006Z"},
          {"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
          {"page_id", "some_page_identifier"},
          {"panel_id", "v1"},
          {"candidates", {1, 2, 3}},
          {"client_id", "marketplace"},
          {"search_data", nlohmann::json::object()}};
}

inline nlohmann::json EoscDatabusAction() {
  return {{"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
          {"timestamp", "2021-03-18T19:33:21.620Z"},
          {"source",
           {{"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
            {"page_id", "services_catalogue_list"},
            {"root", {{"type", "recommendation_panel"}, {"panel_id", "v1"}, {"service_id", 2}}}}},
          {"target",
           {{"visit_id", "9f543b80-dd5b-409b-a619-6312a0b04f4f"}, {"page_id", "service_about"}}},
          {"action", {{"type", "button"}, {"text", "Details"}, {"order", false}}}};
}

}  // namespace recplat::testing
