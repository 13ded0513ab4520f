// SimplexModel::Save / Load: the simplex artifact (core/models/artifact_io.h; the sections are
// listed in simplex_model.h).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "trainers/torch_simplex/simplex_model.h"

namespace recplat::simplex {
namespace {

constexpr char kFamily[] = "simplex";

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("simplex artifact: ", what));
}

}  // namespace

absl::Status SimplexModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter out(kFamily);
  const int64_t dims[2] = {w_.items.rows, w_.dim};
  const double gamma[1] = {w_.gamma};
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics_) {
    names.push_back(name);
    values.push_back(value);
  }
  out.AddI64("dims", dims);
  out.AddF64("gamma", gamma);
  out.AddU32("known", known_);
  out.AddF32("items", w_.items.data);
  out.AddF32("aggregation", w_.aggregation.data);
  out.AddF32("history", w_.history.data);
  out.AddString("metric_names", absl::StrJoin(names, "\n"));
  out.AddF64("metric_values", values);
  return out.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<SimplexModel>> SimplexModel::Load(
    const std::filesystem::path& dir) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, r.I64("dims"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> gamma, r.F64("gamma"));
  if (dims.size() != 2 || dims[0] < 1 || dims[0] > UINT32_MAX || dims[1] < 1 ||
      dims[1] > 4096 || gamma.size() != 1) {
    return Bad("bad dims or gamma");
  }
  SimplexWeights w;
  w.dim = static_cast<int>(dims[1]);
  w.gamma = gamma[0];
  w.items.rows = dims[0];
  w.items.cols = dims[1];
  RECPLAT_ASSIGN_OR_RETURN(w.items.data, r.F32("items"));
  w.aggregation.rows = w.aggregation.cols = dims[1];
  RECPLAT_ASSIGN_OR_RETURN(w.aggregation.data, r.F32("aggregation"));
  RECPLAT_ASSIGN_OR_RETURN(w.history.data, r.F32("history"));
  if (!w.history.data.empty()) {
    w.history.rows = dims[0];
    w.history.cols = dims[1];
  }
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> known, r.U32("known"));
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  MetricList metrics;
  if (!names.empty() || !values.empty()) {
    std::vector<std::string> split = absl::StrSplit(names, '\n');
    if (split.size() != values.size()) return Bad("metric names and values differ in count");
    for (size_t m = 0; m < split.size(); ++m) metrics.emplace_back(std::move(split[m]), values[m]);
  }
  absl::StatusOr<std::unique_ptr<SimplexModel>> model =
      Create(std::move(w), std::move(known), std::move(metrics));
  if (!model.ok()) return Bad(model.status().message());
  return model;
}

}  // namespace recplat::simplex
