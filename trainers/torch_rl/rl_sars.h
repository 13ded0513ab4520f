// File: rl_sars.h
//
// The SARS tuples of the `eosc_rl` family (rl_family.h), built from what the core records:
//
//   - served lists (TrainingData::served_lists): the engine's answers, each with the request's
//     context; the eosc frontend puts the panel ("panel_id": v1/v2), the page's visit
//     ("visit_id") and page ("page_id") there;
//   - journeys (TrainingData::documents of the journey collection, "eosc.action"): the user
//     actions as the Marketplace sent them (source/target visit and page, the root with its
//     type, panel and service, the order flag); a journey is a tree: an action's children are
//     the actions whose source visit is its target visit;
//   - accessed services: the interactions of `order_event` (the dumps' accessed_services).
//
// One transition per served list of a known user with exactly K services (all still in the
// catalogue), a visit id, and (when it names one) the panel of K:
//   state      = (no user index: the user is their history, see rl_family.h; the last accessed
//                services before the list, oldest first; the mask: every live, available
//                service but the user's accessed ones)
//   action     = the K served services, in answer order
//   reward     = per served service s, the largest reward (rl_reward.h) over its journey: the
//                actions from the list's visit whose root is a recommendation panel (of the
//                list's panel when both name one) naming s, and all their descendants; the K
//                sub-rewards by root-mean-square (0 when nothing followed)
//   next state = the state at the user's next such list for the same K when it was served
//                within `episode_seconds`; otherwise done.
// Lists without a visit id (served before the frontend recorded it, or anonymous) are left out.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/models/training_data.h"
#include "trainers/torch_rl/rl_reward.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::rl {

// One stored user action (the fields the agent reads).
struct JourneyRecord {
  std::string source_visit_id;
  std::string target_visit_id;
  std::string source_page_id;
  std::string target_page_id;
  std::string root_type;
  std::string root_panel_id;
  // The root's service (seed: root.service_id; 2024: root.resource_id of resource_type
  // "service"), in decimal; empty when the root names none.
  std::string root_service_id;
  bool order = false;
};

// Parses a journey document's body (the action as sent). nullopt when it is not JSON or lacks
// the target visit.
std::optional<JourneyRecord> ParseJourneyRecord(absl::string_view body);

struct SarsOptions {
  // Services per list (v1: 3, v2: 2).
  int k = 3;
  // The document collection holding the journeys.
  std::string journey_collection = "eosc.action";
  // The interaction type of accessed services.
  std::string order_event = "order";
  // Only lists of this surface; empty: any.
  std::string surface;
  // Consecutive lists of a user at most this far apart form one episode.
  double episode_seconds = 1800;
  // Accessed services kept per state (the agent reads the last history_len).
  int max_history = 32;
};

struct SarsStats {
  // Served lists used (transitions), and those of them with a reward > 0.
  int64_t transitions = 0;
  int64_t rewarded = 0;
  double mean_reward = 0;
  // Journey documents parsed.
  int64_t journey_actions = 0;
};

// The transitions for options.k (see the file comment), in serving-time order.
std::vector<RlTransition> BuildSars(const models::TrainingData& data, const TransitionTable& table,
                                    const SarsOptions& options, SarsStats* stats);

// K of a panel id: "v1" -> 3, "v2" -> 2, 0 otherwise.
int PanelSize(absl::string_view panel_id);

}  // namespace recplat::rl
