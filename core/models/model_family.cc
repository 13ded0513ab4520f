#include "core/models/model_family.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/item_knn_family.h"
#include "core/models/popularity_family.h"
#include "core/models/random_family.h"
#include "core/models/catalog_rule_families.h"
#include "core/models/recent_family.h"
#include "core/models/session_rules_family.h"

namespace recplat::models {
namespace {

absl::Status BadValue(absl::string_view key, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("param '", key, "': expected ", expected, ", got '", value, "'"));
}

}  // namespace

absl::StatusOr<double> ModelParams::GetDouble(absl::string_view key, double def, double min,
                                              double max) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) {
    return def;
  }
  double v = 0;
  if (!absl::SimpleAtod(it->second, &v) || !std::isfinite(v)) {
    return BadValue(key, it->second, "a finite number");
  }
  if (v < min || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("param '", key, "' = ", it->second,
                                                   " is out of range [", min, ", ", max, "]"));
  }
  return v;
}

absl::StatusOr<int64_t> ModelParams::GetInt(absl::string_view key, int64_t def, int64_t min,
                                            int64_t max) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) {
    return def;
  }
  int64_t v = 0;
  if (!absl::SimpleAtoi(it->second, &v)) {
    return BadValue(key, it->second, "an integer");
  }
  if (v < min || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("param '", key, "' = ", it->second,
                                                   " is out of range [", min, ", ", max, "]"));
  }
  return v;
}

absl::StatusOr<bool> ModelParams::GetBool(absl::string_view key, bool def) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) {
    return def;
  }
  bool v = false;
  if (!absl::SimpleAtob(it->second, &v)) {
    return BadValue(key, it->second, "true or false");
  }
  return v;
}

std::string ModelParams::GetString(absl::string_view key, absl::string_view def) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? std::string(def) : it->second;
}

absl::Status ModelParams::CheckKnown(std::initializer_list<absl::string_view> known) const {
  for (const auto& [key, value] : values_) {
    if (std::find(known.begin(), known.end(), absl::string_view(key)) == known.end()) {
      std::string list;
      for (absl::string_view k : known) {
        absl::StrAppend(&list, list.empty() ? "" : ", ", k);
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown param '", key, "' (known: ", list.empty() ? "none" : list, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ModelFamilyRegistry::Register(std::unique_ptr<ModelFamily> family) {
  if (family == nullptr) {
    return absl::InvalidArgumentError("cannot register a null model family");
  }
  std::string name(family->name());
  if (families_.contains(name)) {
    return absl::AlreadyExistsError(
        absl::StrCat("model family '", name, "' is already registered"));
  }
  families_.emplace(std::move(name), std::move(family));
  return absl::OkStatus();
}

const ModelFamily* ModelFamilyRegistry::Find(absl::string_view name) const {
  auto it = families_.find(std::string(name));
  return it == families_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ModelFamilyRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(families_.size());
  for (const auto& [name, family] : families_) {
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status RegisterBuiltinFamilies(ModelFamilyRegistry* registry) {
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<RandomFamily>()));
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<CatalogOrderFamily>()));
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<WeightedRandomFamily>()));
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<RecentFamily>()));
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<PopularityFamily>()));
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<SessionRulesFamily>()));
  return registry->Register(std::make_unique<ItemKnnFamily>());
}

}  // namespace recplat::models
