#include "core/eval/param_search.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/json.h"
#include "nlohmann/json.hpp"

namespace recplat::eval {
namespace {

using models::ParamDimension;

// `v` rounded to `digits` significant digits, printed without exponent noise.
std::string RoundSignificant(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) {
    return absl::StrFormat("%.10g", v);
  }
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return absl::StrFormat("%.10g", std::round(v * scale) / scale);
}

bool IsJsonNumber(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !j.is_discarded() && j.is_number();
}

}  // namespace

absl::Status CheckSearchSpace(const models::SearchSpace& space) {
  for (const ParamDimension& d : space.dimensions) {
    if (d.grid.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("search dimension '", d.name, "': empty grid"));
    }
    if (d.scale != ParamDimension::Scale::kChoice &&
        (!(d.min <= d.max) || (d.scale == ParamDimension::Scale::kLog && !(d.min > 0)))) {
      return absl::InvalidArgumentError(
          absl::StrCat("search dimension '", d.name, "': bad range [", d.min, ", ", d.max, "]"));
    }
  }
  if (!space.budget_param.empty() &&
      !(space.budget_min >= 1 && space.budget_min <= space.budget_max)) {
    return absl::InvalidArgumentError(absl::StrCat("budget param '", space.budget_param,
                                                   "': need 1 <= budget_min <= budget_max"));
  }
  return absl::OkStatus();
}

size_t GridSize(const models::SearchSpace& space) {
  size_t n = 1;
  for (const ParamDimension& d : space.dimensions) {
    if (d.grid.size() != 0 && n > std::numeric_limits<size_t>::max() / d.grid.size()) {
      return std::numeric_limits<size_t>::max();
    }
    n *= d.grid.size();
  }
  return n;
}

std::vector<ParamSet> GridParams(const models::SearchSpace& space) {
  ParamSet base = space.fixed;
  if (!space.budget_param.empty()) {
    base[space.budget_param] = absl::StrCat(space.budget_max);
  }
  std::vector<ParamSet> out = {base};
  for (const ParamDimension& d : space.dimensions) {
    std::vector<ParamSet> next;
    next.reserve(out.size() * d.grid.size());
    for (const ParamSet& p : out) {
      for (const std::string& v : d.grid) {
        ParamSet q = p;
        q[d.name] = v;
        next.push_back(std::move(q));
      }
    }
    out = std::move(next);
  }
  return out;
}

ParamSet RandomParams(const models::SearchSpace& space, common::Rng& rng) {
  ParamSet p = space.fixed;
  for (const ParamDimension& d : space.dimensions) {
    if (d.scale == ParamDimension::Scale::kChoice) {
      p[d.name] = d.grid[rng.Uniform(d.grid.size())];
      continue;
    }
    const double u = rng.UniformDouble();
    const double v = d.scale == ParamDimension::Scale::kLog
                         ? std::exp(std::log(d.min) + u * (std::log(d.max) - std::log(d.min)))
                         : d.min + u * (d.max - d.min);
    p[d.name] = d.integer ? absl::StrCat(std::llround(std::clamp(v, d.min, d.max)))
                          : RoundSignificant(v, 3);
  }
  return p;
}

std::vector<int64_t> HalvingBudgets(const models::SearchSpace& space, int eta) {
  std::vector<int64_t> budgets;
  for (int64_t b = space.budget_min; b < space.budget_max; b *= eta) {
    budgets.push_back(b);
  }
  budgets.push_back(space.budget_max);
  return budgets;
}

std::string ParamSetToJson(const ParamSet& params) {
  std::string out = "{";
  for (const auto& [key, value] : params) {
    if (out.size() > 1) {
      out += ',';
    }
    common::AppendJsonString(&out, key);
    out += ':';
    if (IsJsonNumber(value)) {
      out += value;
    } else {
      common::AppendJsonString(&out, value);
    }
  }
  out += '}';
  return out;
}

absl::StatusOr<ParamSet> ParseParamSetJson(absl::string_view json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("--params: not valid JSON: '", json, "'"));
  }
  if (!j.is_object()) {
    return absl::InvalidArgumentError("--params: expected a JSON object of param: value");
  }
  ParamSet params;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string()) {
      params[key] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      params[key] = value.dump();
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--params: param '", key, "' must be a string, number or boolean, got ", value.dump()));
    }
  }
  return params;
}

}  // namespace recplat::eval
