// File: rl_reward.h
//
// The RL agent's rewards (../shared/specs/seed-systems.md 2.10): a user action (source page ->
// target page, or an order) maps to a symbol through the transition table
// (transition_rewards.csv of the eosc-marketplace-catalog-seeds dataset: rows are source pages,
// columns target pages, cells symbols), the symbol to a number by the 2024 mapping (order 1.0,
// interest 0.7, mild_interest 0.3, anything else 0); a recommended service's reward is the
// largest over the actions of its journey (0 without one), and the K sub-rewards of a
// recommendation combine by root-mean-square.
//
// Thread-safety: TransitionTable is immutable after loading.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::rl {

// A page path as the table names it: "/services", "/services/{id}",
// "/services/{id}/details|opinions|offers|information|configuration|summary", "/comparisons",
// else "unknown_page_id". (The target of an action with the order flag is "order".)
std::string AbstractPage(absl::string_view path);

// The number of a symbol (2024 mapping).
double SymbolReward(absl::string_view symbol);

class TransitionTable {
 public:
  // Reads the CSV at `path`. NOT_FOUND naming the path when it does not exist (the table is a
  // dataset file, never part of the repository); INVALID_ARGUMENT when it is malformed.
  static absl::StatusOr<TransitionTable> Load(const std::filesystem::path& path);
  // Parses CSV text (header "source,<target>,...", one row per source page).
  static absl::StatusOr<TransitionTable> Parse(absl::string_view csv);

  // The symbol of an action from `source_path` to `target_path` (paths or abstract ids);
  // `order` makes the target "order". "unknown_transition" for pairs the table lacks.
  std::string Symbol(absl::string_view source_path, absl::string_view target_path,
                     bool order) const;
  // SymbolReward(Symbol(...)).
  double Reward(absl::string_view source_path, absl::string_view target_path, bool order) const;

 private:
  absl::flat_hash_map<std::string, std::string> cells_;  // "source\ntarget" -> symbol
};

// One action of a journey.
struct JourneyAction {
  std::string source_path;
  std::string target_path;
  bool order = false;
};

// The reward of one recommended service: the largest action reward of its journey, 0 when empty.
double JourneyReward(const TransitionTable& table, const std::vector<JourneyAction>& journey);

// Root-mean-square of the K sub-rewards (0 for none).
double CombineRewards(const std::vector<double>& sub_rewards);

}  // namespace recplat::rl
