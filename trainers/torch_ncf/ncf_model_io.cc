// SaveNcf / LoadNcf: the ncf artifact (core/models/artifact_io.h). Sections: "dims" (i64:
// num_items, num_features, dim, mlp layers, content layers), each matrix as "<name>" (f32,
// row-major) with "<name>.shape" (i64 rows, cols), each vector as f32, the item features as
// "features.offsets"/"features.ids" (i64), the metrics as "metric_names" (string, '\n'-joined)
// and "metric_values" (f64).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "trainers/torch_ncf/ncf_model.h"

namespace recplat::ncf {
namespace {

constexpr char kFamily[] = "ncf";

void PutMatrix(models::ArtifactWriter& w, const std::string& name, const Matrix& m) {
  const int64_t shape[2] = {m.rows, m.cols};
  w.AddI64(absl::StrCat(name, ".shape"), shape);
  w.AddF32(name, m.data);
}

absl::StatusOr<Matrix> GetMatrix(const models::ArtifactReader& r, const std::string& name) {
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, r.I64(absl::StrCat(name, ".shape")));
  if (shape.size() != 2) return absl::DataLossError(absl::StrCat("ncf: bad shape of ", name));
  Matrix m;
  m.rows = shape[0];
  m.cols = shape[1];
  RECPLAT_ASSIGN_OR_RETURN(m.data, r.F32(name));
  return m;
}

void PutDense(models::ArtifactWriter& w, const std::string& name, const Dense& d) {
  PutMatrix(w, absl::StrCat(name, ".w"), d.w);
  w.AddF32(absl::StrCat(name, ".b"), d.b);
  w.AddF32(absl::StrCat(name, ".scale"), d.scale);
  w.AddF32(absl::StrCat(name, ".shift"), d.shift);
}

absl::StatusOr<Dense> GetDense(const models::ArtifactReader& r, const std::string& name) {
  Dense d;
  RECPLAT_ASSIGN_OR_RETURN(d.w, GetMatrix(r, absl::StrCat(name, ".w")));
  RECPLAT_ASSIGN_OR_RETURN(d.b, r.F32(absl::StrCat(name, ".b")));
  RECPLAT_ASSIGN_OR_RETURN(d.scale, r.F32(absl::StrCat(name, ".scale")));
  RECPLAT_ASSIGN_OR_RETURN(d.shift, r.F32(absl::StrCat(name, ".shift")));
  return d;
}

}  // namespace

absl::Status SaveNcf(const NcfWeights& w, const ItemFeatures& f,
                     const std::vector<std::pair<std::string, double>>& metrics,
                     const std::filesystem::path& dir) {
  models::ArtifactWriter out(kFamily);
  const int64_t dims[5] = {w.num_items, w.num_features, w.dim, static_cast<int64_t>(w.mlp.size()),
                           static_cast<int64_t>(w.content.size())};
  out.AddI64("dims", dims);
  PutMatrix(out, "pg", w.pg);
  PutMatrix(out, "pm", w.pm);
  PutMatrix(out, "qg", w.qg);
  PutMatrix(out, "qm", w.qm);
  PutMatrix(out, "mlp_user", w.mlp_user);
  PutMatrix(out, "mlp_item", w.mlp_item);
  PutMatrix(out, "content_user", w.content_user);
  PutMatrix(out, "content_item", w.content_item);
  for (size_t l = 0; l < w.mlp.size(); ++l) PutDense(out, absl::StrCat("mlp", l), w.mlp[l]);
  for (size_t l = 0; l < w.content.size(); ++l) {
    PutDense(out, absl::StrCat("content", l), w.content[l]);
  }
  out.AddF32("head", w.head);
  const float bias[1] = {w.head_bias};
  out.AddF32("head_bias", bias);
  out.AddI64("features.offsets", f.offsets);
  out.AddI64("features.ids", f.ids);
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics) {
    names.push_back(name);
    values.push_back(value);
  }
  out.AddString("metric_names", absl::StrJoin(names, "\n"));
  out.AddF64("metric_values", values);
  return out.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<NcfModel>> LoadNcf(const std::filesystem::path& dir) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, r.I64("dims"));
  if (dims.size() != 5 || dims[3] < 1 || dims[3] > 64 || dims[4] < 1 || dims[4] > 64) {
    return absl::DataLossError("ncf: bad dims");
  }
  NcfWeights w;
  w.num_items = dims[0];
  w.num_features = dims[1];
  w.dim = static_cast<int>(dims[2]);
  RECPLAT_ASSIGN_OR_RETURN(w.pg, GetMatrix(r, "pg"));
  RECPLAT_ASSIGN_OR_RETURN(w.pm, GetMatrix(r, "pm"));
  RECPLAT_ASSIGN_OR_RETURN(w.qg, GetMatrix(r, "qg"));
  RECPLAT_ASSIGN_OR_RETURN(w.qm, GetMatrix(r, "qm"));
  RECPLAT_ASSIGN_OR_RETURN(w.mlp_user, GetMatrix(r, "mlp_user"));
  RECPLAT_ASSIGN_OR_RETURN(w.mlp_item, GetMatrix(r, "mlp_item"));
  RECPLAT_ASSIGN_OR_RETURN(w.content_user, GetMatrix(r, "content_user"));
  RECPLAT_ASSIGN_OR_RETURN(w.content_item, GetMatrix(r, "content_item"));
  for (int64_t l = 0; l < dims[3]; ++l) {
    RECPLAT_ASSIGN_OR_RETURN(Dense d, GetDense(r, absl::StrCat("mlp", l)));
    w.mlp.push_back(std::move(d));
  }
  for (int64_t l = 0; l < dims[4]; ++l) {
    RECPLAT_ASSIGN_OR_RETURN(Dense d, GetDense(r, absl::StrCat("content", l)));
    w.content.push_back(std::move(d));
  }
  RECPLAT_ASSIGN_OR_RETURN(w.head, r.F32("head"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<float> bias, r.F32("head_bias"));
  if (bias.size() != 1) return absl::DataLossError("ncf: bad head_bias");
  w.head_bias = bias[0];
  ItemFeatures f;
  RECPLAT_ASSIGN_OR_RETURN(f.offsets, r.I64("features.offsets"));
  RECPLAT_ASSIGN_OR_RETURN(f.ids, r.I64("features.ids"));
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  std::vector<std::pair<std::string, double>> metrics;
  std::vector<std::string> split =
      names.empty() ? std::vector<std::string>() : absl::StrSplit(names, '\n');
  if (split.size() != values.size()) return absl::DataLossError("ncf: bad metrics");
  for (size_t i = 0; i < values.size(); ++i) metrics.emplace_back(split[i], values[i]);
  absl::StatusOr<std::unique_ptr<NcfModel>> model =
      NcfModel::Create(std::move(w), std::move(f), std::move(metrics));
  if (!model.ok()) return absl::DataLossError(model.status().message());
  return model;
}

}  // namespace recplat::ncf
