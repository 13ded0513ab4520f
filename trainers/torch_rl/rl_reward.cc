#include "trainers/torch_rl/rl_reward.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace recplat::rl {

std::string AbstractPage(absl::string_view path) {
  if (path == "order") return "order";
  absl::string_view p = path;
  if (const size_t q = p.find_first_of("?#"); q != absl::string_view::npos) p = p.substr(0, q);
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p == "/services" || p == "/services/{id}") return std::string(p);
  if (absl::StartsWith(p, "/comparisons")) return "/comparisons";
  if (absl::ConsumePrefix(&p, "/services/")) {
    std::vector<absl::string_view> parts = absl::StrSplit(p, '/');
    if (parts.size() == 1 && !parts[0].empty()) return "/services/{id}";
    if (parts.size() == 2 && !parts[0].empty()) {
      for (absl::string_view sub :
           {"details", "opinions", "offers", "information", "configuration", "summary"}) {
        if (parts[1] == sub) return absl::StrCat("/services/{id}/", sub);
      }
    }
  }
  return "unknown_page_id";
}

double SymbolReward(absl::string_view symbol) {
  if (symbol == "order") return 1.0;
  if (symbol == "interest") return 0.7;
  if (symbol == "mild_interest") return 0.3;
  return 0.0;
}

absl::StatusOr<TransitionTable> TransitionTable::Load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "rl: the transition reward table ", path.string(),
        " does not exist (transition_rewards.csv of the eosc-marketplace-catalog-seeds dataset; "
        "set the model's `transition_rewards` param or RECPLAT_DATASETS)"));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<TransitionTable> table = Parse(text.str());
  if (!table.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", table.status().message()));
  }
  return table;
}

absl::StatusOr<TransitionTable> TransitionTable::Parse(absl::string_view csv) {
  TransitionTable table;
  std::vector<std::string> targets;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(csv, '\n', absl::SkipWhitespace())) {
    line = absl::StripAsciiWhitespace(line);
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (header) {
      if (cells.size() < 2 || cells[0] != "source") {
        return absl::InvalidArgumentError("the transition table must start with 'source,'");
      }
      targets.assign(cells.begin() + 1, cells.end());
      header = false;
      continue;
    }
    if (cells.size() != targets.size() + 1) {
      return absl::InvalidArgumentError(absl::StrCat("transition table row '", cells[0], "' has ",
                                                     cells.size() - 1, " cells, the header ",
                                                     targets.size()));
    }
    for (size_t t = 0; t < targets.size(); ++t) {
      table.cells_[absl::StrCat(cells[0], "\n", targets[t])] = cells[t + 1];
    }
  }
  if (table.cells_.empty()) return absl::InvalidArgumentError("the transition table is empty");
  return table;
}

std::string TransitionTable::Symbol(absl::string_view source_path, absl::string_view target_path,
                                    bool order) const {
  const std::string target = order ? "order" : AbstractPage(target_path);
  auto it = cells_.find(absl::StrCat(AbstractPage(source_path), "\n", target));
  return it == cells_.end() ? "unknown_transition" : it->second;
}

double TransitionTable::Reward(absl::string_view source_path, absl::string_view target_path,
                               bool order) const {
  return SymbolReward(Symbol(source_path, target_path, order));
}

double JourneyReward(const TransitionTable& table, const std::vector<JourneyAction>& journey) {
  double best = 0;
  for (const JourneyAction& a : journey) {
    best = std::max(best, table.Reward(a.source_path, a.target_path, a.order));
  }
  return best;
}

double CombineRewards(const std::vector<double>& sub_rewards) {
  if (sub_rewards.empty()) return 0;
  double sum = 0;
  for (double r : sub_rewards) sum += r * r;
  return std::sqrt(sum / static_cast<double>(sub_rewards.size()));
}

}  // namespace recplat::rl
