// File: search_space.h
//
// SearchSpace: the hyper-parameters a model family lets `recplat tune` (core/eval/tune.h) search,
// with their ranges. Each family declares its own (ModelFamily::TuningSpace), so the ranges live
// beside the params they describe and are documented with them.
//
// A space is a list of dimensions. Each dimension has
//   - a grid: the values grid search tries, as the strings a profile would hold;
//   - for random search: a continuous range [min, max] sampled uniformly (kLinear) or
//     log-uniformly (kLog), rounded to an integer when `integer`, or else a choice among the
//     grid values (kChoice).
// `fixed` params are added to every trial (e.g. a thread count or a validation switch), and an
// optional budget param (an integer such as `epochs`) lets successive halving give cheap, short
// fits to many configurations and long fits to the best ones; families fitted in closed form have
// none.
//
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace recplat::models {

struct ParamDimension {
  enum class Scale { kLinear, kLog, kChoice };

  std::string name;
  Scale scale = Scale::kChoice;
  // Range of kLinear / kLog (min > 0 for kLog); unused for kChoice.
  double min = 0;
  double max = 0;
  // kLinear / kLog: values are rounded to integers.
  bool integer = false;
  // Values of grid search; for kChoice also the values random search draws from. Not empty.
  std::vector<std::string> grid;
};

struct SearchSpace {
  std::vector<ParamDimension> dimensions;
  // Params set in every trial.
  std::map<std::string, std::string> fixed;
  // Optional integer budget param for successive halving (empty: none); every trial of grid
  // and random search uses budget_max.
  std::string budget_param;
  int64_t budget_min = 0;
  int64_t budget_max = 0;
};

}  // namespace recplat::models
