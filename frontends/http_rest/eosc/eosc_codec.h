// File: eosc_codec.h
//
// The mapping between the EOSC Marketplace payloads (eosc_schema.h) and the core's messages.
// Everything the profile needs to remember lives in the core, written through Api::Write:
//
//   service -> item  id = the service id in decimal; title = name; text = description and
//                    tagline; available = status "published" or "unverified" (or no status:
//                    the 2021 schema has none); category labels (ServiceLabels): "c:<id>"
//                    categories, "country:<code>", "provider:<id>", "platform:<id>",
//                    "domain:<id>" scientific domains, "target_user:<id>", the model features
//                    "org:<id>" resource organisation, "access_mode:", "access_type:", "trl:",
//                    "lcs:" life-cycle status, "research_step:", then the search words
//                    "w:<stem>" of name, description and tagline (eosc_text.h) up to the core's
//                    256 labels per item;
//   user -> document "eosc.user"/<id> (the user is known; its dump record as JSON), document
//                    "eosc.aai"/<aai_uid> -> <id>, a core user <id>, and one `order` event per
//                    accessed service (idempotency key "accessed:<user>:<service>", times
//                    increasing in list order), which the surface's exclude_seen_types drops
//                    from the user's candidates and the trained models learn from;
//   user action ->   document "eosc.action"/"<source visit>/<target visit>" (the action as
//                    sent; a journey is the tree of these keys: the children of visit V are
//                    the keys starting with "V/"), and, when the action's root names a
//                    service, a `click` event of the user (or of the browser's unique_id as a
//                    session) with the panel, pages and order flag as context;
//   recommendation -> a core Recommend on the profile's surface whose context holds the
//                    panel ("panel_id": v1/v2), the request's "visit_id" and "page_id": the
//                    core records them with the served list, which is how the RL agent
//                    (trainers/torch_rl) attributes a journey to the list it started from.
//
// A dump is one atomic write: upserts of every service, deletions of the items, users and
// aai_uids the dump no longer has, and the users' records and events; a request during the
// import sees the old or the new catalogue (the core publishes a write's catalogue changes at
// once).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "frontends/http_rest/eosc/eosc_schema.h"
#include "nlohmann/json.hpp"
#include "recplat/v1/recommend.pb.h"
#include "recplat/v1/write.pb.h"

namespace recplat::http::eosc {

inline constexpr char kUsersCollection[] = "eosc.user";
inline constexpr char kAaiCollection[] = "eosc.aai";
inline constexpr char kActionsCollection[] = "eosc.action";
// Event types of the profile (config/eosc.yaml).
inline constexpr char kOrderEvent[] = "order";
inline constexpr char kClickEvent[] = "click";

// The category labels of a service (see the file comment), at most `max_labels`.
std::vector<std::string> ServiceLabels(const Service& service, size_t max_labels = 256);

// What the core holds before a dump, to know what the dump removes.
struct ExistingState {
  std::vector<std::string> item_ids;
  std::vector<std::string> user_keys;
  std::vector<std::string> aai_keys;
};

// The write replacing the catalogue and users with `dump` (see the file comment). `now_ms`
// stamps the accessed-service events.
v1::WriteRequest EncodeDump(const Dump& dump, const ExistingState& existing,
                            const std::string& tenant, int64_t now_ms);

// K of a panel: "v1" (and, by the 2024 rules, absent, empty or "service") -> 3, "v2" -> 2;
// 0 for any other value. `normalized` receives "v1" or "v2".
int PanelK(const std::string& panel_id, std::string* normalized);

// The `accessed_services` of a user's record as the dump import stores it (the users
// document's body); empty for "" or a record without them (never fails: a record that does
// not parse excludes nothing).
std::vector<int64_t> AccessedServices(const std::string& record);

// The catalogue query of search_data (one label clause per non-empty list, `q` as an OR of its
// words); an empty query when nothing filters.
v1::CatalogQuery SearchQuery(const SearchData& search_data);

// The engines to try for a known user, in order: the request's engine_version when it names
// one of `engines` (case-insensitively; a "...Ranking" suffix is dropped), the default engine,
// then `engines`; names as configured, without repeats.
std::vector<std::string> EngineChain(const std::optional<std::string>& engine_version,
                                     const std::string& default_engine,
                                     const std::vector<std::string>& engines);
// Whether engine_version asks for a full ranking (NCFRanking, RandomRanking).
bool IsRankingEngine(const std::optional<std::string>& engine_version);

// The answer of /recommendations: the 2021 shape {"recommendations": [...]} or, for a 2024
// request, with panel_id, scores, explanations, explanations_short and engine_version. `k`
// items are taken from `response` (all of them when k is 0). Random scores are
// 1/scored_candidates (rounded to 3 places for a ranking), as the original's.
nlohmann::json EncodeRecommendations(const RecommendationContext& request, const std::string& panel,
                                     const v1::RecommendResponse& response,
                                     const std::string& random_engine, bool ranking);

// The write of a user action: its document and, when it names a service, its click event
// (omitted when `with_event` is false). `user_id` is the known user ("" when anonymous);
// `body` is the action as sent.
v1::WriteRequest EncodeUserAction(const UserAction& action, const nlohmann::json& body,
                                  const std::string& user_id, const std::string& tenant,
                                  int64_t now_ms, bool with_event);

// The document key of a user action.
std::string ActionKey(const UserAction& action);

}  // namespace recplat::http::eosc
