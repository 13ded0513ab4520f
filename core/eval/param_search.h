// File: param_search.h
//
// The candidate generators of `recplat tune` (tune.h) over a family's SearchSpace
// (core/models/search_space.h): the full grid, seeded random draws, and the rung schedule of
// successive halving. Also the JSON form of a param set, shared by `recplat tune`'s output and
// `recplat eval --params`.
//
// Thread-safety: pure functions (RandomParams advances the caller's generator).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/common/random.h"
#include "core/models/search_space.h"

namespace recplat::eval {

using ParamSet = std::map<std::string, std::string>;

// INVALID_ARGUMENT naming the dimension when a space is malformed (empty grid, min > max,
// log scale with min <= 0, a budget param without 1 <= budget_min <= budget_max).
absl::Status CheckSearchSpace(const models::SearchSpace& space);

// Number of points of the full grid (product of the grid sizes; 1 for an empty space),
// saturating at SIZE_MAX.
size_t GridSize(const models::SearchSpace& space);

// Every grid point (first dimension varying slowest), each with space.fixed added and, when the
// space has a budget param, that param at budget_max. REQUIRES: CheckSearchSpace(space) is OK.
std::vector<ParamSet> GridParams(const models::SearchSpace& space);

// One random point: kLinear uniform, kLog log-uniform (integers rounded; reals rounded to three
// significant digits), kChoice uniform over the grid; plus space.fixed. No budget param.
ParamSet RandomParams(const models::SearchSpace& space, common::Rng& rng);

// Budgets of the successive-halving rungs: budget_min, budget_min·eta, ... capped, ending at
// budget_max exactly. REQUIRES: a budget param, eta >= 2.
std::vector<int64_t> HalvingBudgets(const models::SearchSpace& space, int eta);

// A param set as a JSON object; values that are JSON numbers are written as numbers, others as
// strings. Keys in order.
std::string ParamSetToJson(const ParamSet& params);

// Parses a JSON object of params (`--params '{"l2": 200, "weighting": "binary"}'`): string
// values as they are, numbers as written, booleans as true/false. INVALID_ARGUMENT for anything
// else (malformed JSON, not an object, null / array / object values).
absl::StatusOr<ParamSet> ParseParamSetJson(absl::string_view json);

}  // namespace recplat::eval
