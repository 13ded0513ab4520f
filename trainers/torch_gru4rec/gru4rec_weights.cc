#include "trainers/torch_gru4rec/gru4rec_weights.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace recplat::gru4rec {
namespace {

template <typename Ref, typename Weights>
std::vector<Ref> ParamsOf(Weights& w) {
  std::vector<Ref> out;
  if (w.embedding > 0) {
    out.push_back({"E", &w.e, true});
  }
  for (size_t l = 0; l < w.layers.size(); ++l) {
    out.push_back({absl::StrCat("Wx", l), &w.wx[l], l == 0 && w.one_hot()});
    out.push_back({absl::StrCat("Wrz", l), &w.wrz[l], false});
    out.push_back({absl::StrCat("Wh", l), &w.wh[l], false});
    out.push_back({absl::StrCat("Bh", l), &w.bh[l], false});
  }
  out.push_back({"Wy", &w.wy, true});
  out.push_back({"By", &w.by, true});
  return out;
}

// Uniform in ±sqrt(6 / (rows + cols / blocks)) for rows [from, rows).
void FillUniform(Matrix* m, int64_t from, int blocks, common::Rng& rng) {
  const double sigma =
      std::sqrt(6.0 / (static_cast<double>(m->rows) + static_cast<double>(m->cols) / blocks));
  for (int64_t k = from * m->cols; k < m->rows * m->cols; ++k) {
    m->data[static_cast<size_t>(k)] = static_cast<float>((rng.UniformDouble() * 2 - 1) * sigma);
  }
}

}  // namespace

int64_t GruWeights::input_width() const {
  if (constrained) return layers.back();
  if (embedding > 0) return embedding;
  return num_items;
}

std::vector<ParamRef> Params(GruWeights& w) { return ParamsOf<ParamRef>(w); }
std::vector<ConstParamRef> Params(const GruWeights& w) { return ParamsOf<ConstParamRef>(w); }

GruWeights ZeroWeights(int64_t num_items, const std::vector<int>& layers, int embedding,
                       bool constrained) {
  GruWeights w;
  w.num_items = num_items;
  w.layers = layers;
  w.embedding = embedding;
  w.constrained = constrained;
  if (embedding > 0) w.e = Matrix::Zeros(num_items, embedding);
  int64_t in = w.input_width();
  for (int units : layers) {
    w.wx.push_back(Matrix::Zeros(in, 3 * units));
    w.wrz.push_back(Matrix::Zeros(units, 2 * units));
    w.wh.push_back(Matrix::Zeros(units, units));
    w.bh.push_back(Matrix::Zeros(1, 3 * units));
    in = units;
  }
  w.wy = Matrix::Zeros(num_items, layers.back());
  w.by = Matrix::Zeros(num_items, 1);
  return w;
}

void InitWeights(GruWeights* w, common::Rng& rng) {
  if (w->embedding > 0) FillUniform(&w->e, 0, 1, rng);
  for (size_t l = 0; l < w->layers.size(); ++l) {
    FillUniform(&w->wx[l], 0, 3, rng);
    FillUniform(&w->wrz[l], 0, 2, rng);
    FillUniform(&w->wh[l], 0, 1, rng);
    std::fill(w->bh[l].data.begin(), w->bh[l].data.end(), 0.0f);
  }
  FillUniform(&w->wy, 0, 1, rng);
  std::fill(w->by.data.begin(), w->by.data.end(), 0.0f);
}

void GrowItems(GruWeights* w, int64_t new_num_items, common::Rng* rng) {
  const int64_t old = w->num_items;
  auto grow = [&](Matrix* m, int blocks, bool random) {
    m->rows = new_num_items;
    m->data.resize(static_cast<size_t>(new_num_items * m->cols), 0.0f);
    if (random && rng != nullptr) FillUniform(m, old, blocks, *rng);
  };
  if (w->embedding > 0) grow(&w->e, 1, true);
  if (w->one_hot()) grow(&w->wx[0], 3, true);
  grow(&w->wy, 1, true);
  grow(&w->by, 1, false);
  w->num_items = new_num_items;
}

absl::Status CheckWeights(const GruWeights& w) {
  if (w.layers.empty()) return absl::InvalidArgumentError("no layers");
  if (w.wx.size() != w.layers.size() || w.wrz.size() != w.layers.size() ||
      w.wh.size() != w.layers.size() || w.bh.size() != w.layers.size()) {
    return absl::InvalidArgumentError("per-layer matrices do not match the layer count");
  }
  const GruWeights expected = ZeroWeights(w.num_items, w.layers, w.embedding, w.constrained);
  const std::vector<ConstParamRef> want = Params(expected);
  const std::vector<ConstParamRef> got = Params(w);
  if (want.size() != got.size()) return absl::InvalidArgumentError("parameter count mismatch");
  for (size_t k = 0; k < want.size(); ++k) {
    const Matrix& a = *want[k].matrix;
    const Matrix& b = *got[k].matrix;
    if (a.rows != b.rows || a.cols != b.cols ||
        b.data.size() != static_cast<size_t>(b.rows * b.cols)) {
      return absl::InvalidArgumentError(absl::StrCat("parameter ", got[k].name, " is ", b.rows,
                                                     "x", b.cols, " (", b.data.size(),
                                                     " values), expected ", a.rows, "x", a.cols));
    }
    for (float v : b.data) {
      if (!std::isfinite(v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", got[k].name, " has a non-finite value"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace recplat::gru4rec
