// Gru4RecModel: consistency checks and the artifact (Save / Load), see gru4rec_model.h.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "trainers/torch_gru4rec/gru4rec_model.h"

namespace recplat::gru4rec {
namespace {

constexpr char kFamily[] = "gru4rec";
constexpr int64_t kMaxLayers = 4;
constexpr int64_t kMaxUnits = 4096;

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("gru4rec artifact: ", what));
}

}  // namespace

absl::Status Gru4RecModel::CheckParts(const Parts& parts) {
  const size_t n = parts.items.size();
  if (parts.support.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(parts.support.size(), " support values for ", n, " items"));
  }
  if (parts.weights.num_items != static_cast<int64_t>(n) ||
      parts.adagrad.num_items != static_cast<int64_t>(n)) {
    return absl::InvalidArgumentError("weights are not sized for the items");
  }
  std::vector<bool> seen(parts.catalog_size, false);
  for (uint32_t item : parts.items) {
    if (item >= parts.catalog_size || seen[item]) {
      return absl::InvalidArgumentError(
          absl::StrCat("item ", item, " repeated or outside the catalog"));
    }
    seen[item] = true;
  }
  for (double s : parts.support) {
    if (!(s >= 0) || !std::isfinite(s)) return absl::InvalidArgumentError("bad support value");
  }
  if (parts.adagrad.layers != parts.weights.layers ||
      parts.adagrad.embedding != parts.weights.embedding ||
      parts.adagrad.constrained != parts.weights.constrained) {
    return absl::InvalidArgumentError("accumulators have another architecture");
  }
  RECPLAT_RETURN_IF_ERROR(CheckWeights(parts.weights));
  return CheckWeights(parts.adagrad);
}

absl::Status Gru4RecModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter w(kFamily);
  const int64_t catalog_size[] = {parts_.catalog_size};
  const int64_t embedding[] = {parts_.weights.embedding};
  const int64_t constrained[] = {parts_.weights.constrained ? 1 : 0};
  const std::vector<int64_t> layers(parts_.weights.layers.begin(), parts_.weights.layers.end());
  w.AddI64("catalog_size", catalog_size);
  w.AddU32("items", parts_.items);
  w.AddF64("support", parts_.support);
  w.AddI64("layers", layers);
  w.AddI64("embedding", embedding);
  w.AddI64("constrained", constrained);
  for (const ConstParamRef& p : Params(parts_.weights)) {
    w.AddF32(absl::StrCat("w/", p.name), p.matrix->data);
  }
  for (const ConstParamRef& p : Params(parts_.adagrad)) {
    w.AddF32(absl::StrCat("acc/", p.name), p.matrix->data);
  }
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : parts_.metrics) {
    names.push_back(name);
    values.push_back(value);
  }
  w.AddString("metric_names", absl::StrJoin(names, "\n"));
  w.AddF64("metric_values", values);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<Gru4RecModel>> Gru4RecModel::Load(const std::filesystem::path& dir,
                                                                 int max_session_length) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kFamily));
  Parts parts;
  RECPLAT_ASSIGN_OR_RETURN(int64_t catalog_size, r.I64Scalar("catalog_size"));
  if (catalog_size < 0 || catalog_size > UINT32_MAX) {
    return Bad(absl::StrCat("catalog_size ", catalog_size, " out of range"));
  }
  parts.catalog_size = static_cast<uint32_t>(catalog_size);
  RECPLAT_ASSIGN_OR_RETURN(parts.items, r.U32("items"));
  RECPLAT_ASSIGN_OR_RETURN(parts.support, r.F64("support"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> layers, r.I64("layers"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t embedding, r.I64Scalar("embedding"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t constrained, r.I64Scalar("constrained"));
  if (layers.empty() || static_cast<int64_t>(layers.size()) > kMaxLayers) {
    return Bad(absl::StrCat(layers.size(), " layers"));
  }
  std::vector<int> units;
  for (int64_t l : layers) {
    if (l < 1 || l > kMaxUnits) return Bad(absl::StrCat("layer size ", l));
    units.push_back(static_cast<int>(l));
  }
  if (embedding < 0 || embedding > kMaxUnits || (constrained != 0 && constrained != 1) ||
      (constrained == 1 && embedding != 0)) {
    return Bad("bad embedding / constrained");
  }
  const int64_t n = static_cast<int64_t>(parts.items.size());
  if (n > catalog_size) return Bad("more items than the catalog");
  parts.weights = ZeroWeights(n, units, static_cast<int>(embedding), constrained == 1);
  parts.adagrad = ZeroWeights(n, units, static_cast<int>(embedding), constrained == 1);
  for (auto [prefix, weights] : {std::pair{"w/", &parts.weights}, {"acc/", &parts.adagrad}}) {
    for (const ParamRef& p : Params(*weights)) {
      RECPLAT_ASSIGN_OR_RETURN(std::vector<float> data, r.F32(absl::StrCat(prefix, p.name)));
      if (data.size() != p.matrix->data.size()) {
        return Bad(absl::StrCat(prefix, p.name, " has ", data.size(), " values, expected ",
                                p.matrix->data.size()));
      }
      p.matrix->data = std::move(data);
    }
  }
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  if (!names.empty() || !values.empty()) {
    std::vector<std::string> split = absl::StrSplit(names, '\n');
    if (split.size() != values.size()) return Bad("metric names and values differ in count");
    for (size_t m = 0; m < split.size(); ++m) {
      parts.metrics.emplace_back(std::move(split[m]), values[m]);
    }
  }
  if (absl::Status s = CheckParts(parts); !s.ok()) return Bad(s.message());
  return std::make_unique<Gru4RecModel>(std::move(parts), max_session_length);
}

}  // namespace recplat::gru4rec
