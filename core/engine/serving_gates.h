// File: serving_gates.h
//
// ServingGates: the per-model serving conditions of the profile, checked wherever the engine
// picks a model (retrieval and scoring cascades, the diversity model, the similar-items
// cascade). A model that fails them is treated exactly like one whose Model::Ready is false:
// the cascade moves on (the diversity stage is skipped).
//   - models.<m>.serve_gate {event_type, per_item}: holds while the tenant has applied more than
//     per_item x (live items) events of event_type (StateStore::EventCount / LiveItemCount);
//     an empty event_type always holds.
//   - models.<m>.serve_requires: `user` (the request has a user id), `session` (the session has
//     history that models see), `anchor` (the request has at least one known anchor).
//
// Thread-safety: immutable after construction; the state store it reads is thread-safe.
#pragma once

#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "core/config/config.h"
#include "core/state/state_store.h"

namespace recplat::engine {

// What a request carries, as far as serve_requires is concerned.
struct RequestFacts {
  bool has_user = false;
  bool has_session_history = false;
  bool has_anchor = false;
};

class ServingGates {
 public:
  // `state` is not owned and must outlive this object.
  ServingGates(const std::map<std::string, config::ModelConfig>& models,
               const state::StateStore& state);

  // Whether the serve_gate of `model` holds for `tenant` now; true for models without one.
  bool GateHolds(absl::string_view tenant, absl::string_view model) const;

  // GateHolds, and the request satisfies the model's serve_requires.
  bool Allows(absl::string_view tenant, absl::string_view model, const RequestFacts& facts) const;

 private:
  struct Rule {
    config::GateConfig gate;
    bool needs_user = false;
    bool needs_session = false;
    bool needs_anchor = false;
  };
  bool GateHolds(absl::string_view tenant, const config::GateConfig& gate) const;

  // Only the models with a gate or a requirement.
  absl::flat_hash_map<std::string, Rule> rules_;
  const state::StateStore& state_;
};

}  // namespace recplat::engine
