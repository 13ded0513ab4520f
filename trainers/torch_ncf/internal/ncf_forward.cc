#include "trainers/torch_ncf/internal/ncf_forward.h"

#include <algorithm>
#include <cmath>

namespace recplat::ncf::internal {
namespace {

using RowMat = NcfForward::RowMat;
using Vec = NcfForward::Vec;
using ConstMap = Eigen::Map<const RowMat>;

ConstMap MapOf(const Matrix& m) { return ConstMap(m.data.data(), m.rows, m.cols); }
Eigen::Map<const Vec> VecOf(const std::vector<float>& v) {
  return Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

std::unique_ptr<NcfForward> NcfForward::Create(const NcfWeights& w, const ItemFeatures& f) {
  auto fw = std::unique_ptr<NcfForward>(new NcfForward());
  const int64_t n = w.num_items, d = w.dim;
  const Eigen::Index c0 = static_cast<Eigen::Index>(w.content[0].b.size());
  fw->num_items_ = n;
  fw->qg_ = MapOf(w.qg);
  fw->pg_ = MapOf(w.pg);
  fw->pm_ = MapOf(w.pm);
  fw->mlp_user_t_ = MapOf(w.mlp_user).transpose();
  fw->mlp_item_ = MapOf(w.qm) * MapOf(w.mlp_item).transpose();
  fw->mlp_item_.rowwise() += VecOf(w.mlp[0].b);
  fw->content_item_ = RowMat::Zero(n, c0);
  fw->content_user_ = RowMat::Zero(n, c0);
  const ConstMap cu = MapOf(w.content_user), ci = MapOf(w.content_item);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = f.offsets[i]; k < f.offsets[i + 1]; ++k) {
      fw->content_item_.row(i) += ci.row(f.ids[k]);
      fw->content_user_.row(i) += cu.row(f.ids[k]);
    }
  }
  fw->content_item_.rowwise() += VecOf(w.content[0].b);

  const Eigen::Map<const Eigen::VectorXf> head(w.head.data(),
                                               static_cast<Eigen::Index>(w.head.size()));
  fw->head_gmf_ = head.head(d).transpose();
  Eigen::Index widest = 0, offset = d;
  // Folds each layer's BatchNorm into the next layer (or the head): with y = relu(z) ⊙ s + t,
  // W y + b = (W diag(s)) relu(z) + (W t + b).
  auto fold = [&](const std::vector<Dense>& layers, Tower* t) {
    for (size_t l = 1; l < layers.size(); ++l) {
      const ConstMap wl = MapOf(layers[l].w);  // [out, in]
      RowMat wt = wl.transpose();              // [in, out]
      wt.array().colwise() *= VecOf(layers[l - 1].scale).transpose().array();
      t->wt.push_back(std::move(wt));
      t->bias.push_back(VecOf(layers[l].b) + VecOf(layers[l - 1].shift) * wl.transpose());
      widest = std::max<Eigen::Index>(widest, wl.rows());
    }
    const Dense& last = layers.back();
    const Eigen::Index size = static_cast<Eigen::Index>(last.b.size());
    const Eigen::VectorXf slice = head.segment(offset, size);
    t->head = slice.cwiseProduct(VecOf(last.scale).transpose());
    t->head_const = slice.dot(VecOf(last.shift).transpose());
    offset += size;
  };
  fold(w.mlp, &fw->mlp_);
  fold(w.content, &fw->content_);
  fw->bias_ = w.head_bias + fw->mlp_.head_const + fw->content_.head_const;
  // Per block: the two first-layer inputs, two alternating layer outputs, the logits.
  fw->widest_ = std::max<Eigen::Index>(widest, 1);
  fw->scratch_floats_ =
      static_cast<size_t>(kBlock * (fw->mlp_item_.cols() + c0 + 2 * fw->widest_ + 1));
  return fw;
}

void NcfForward::UserOf(std::span<const uint32_t> history, User* u) const {
  thread_local std::vector<uint32_t> h;
  h.clear();
  for (uint32_t j : history) {
    if (j < num_items_) h.push_back(j);
  }
  std::sort(h.begin(), h.end());
  h.erase(std::unique(h.begin(), h.end()), h.end());
  // Assigning same-sized vectors reuses their storage: a warm thread allocates nothing here.
  u->pg.setZero(pg_.cols());
  u->pm.setZero(pm_.cols());
  u->cont.setZero(content_user_.cols());
  for (uint32_t j : h) {
    u->pg += pg_.row(j);
    u->pm += pm_.row(j);
    u->cont += content_user_.row(j);
  }
  if (!h.empty()) {
    const float inv = 1.0f / static_cast<float>(h.size());
    u->pg *= inv;
    u->pm *= inv;
    u->cont *= inv;
  }
  u->gmf = u->pg.cwiseProduct(head_gmf_);
  u->mlp.resize(mlp_user_t_.cols());
  u->mlp.noalias() = u->pm * mlp_user_t_;
}

void NcfForward::RunTower(const Tower& t, Eigen::Map<RowMat> x, float* scratch,
                          Eigen::Map<Eigen::VectorXf> logits) const {
  const Eigen::Index rows = x.rows();
  float* in = x.data();
  Eigen::Index in_cols = x.cols();
  float* spare[2] = {scratch, scratch + kBlock * widest_};
  for (size_t l = 0; l < t.wt.size(); ++l) {
    // Alternates the two scratch halves (each kBlock x widest; rows <= kBlock).
    float* out = spare[l % 2];
    const Eigen::Index out_cols = t.wt[l].cols();
    Eigen::Map<RowMat> y(out, rows, out_cols);
    y.noalias() = Eigen::Map<const RowMat>(in, rows, in_cols) * t.wt[l];
    y.rowwise() += t.bias[l];
    y = y.cwiseMax(0.0f);
    in = out;
    in_cols = out_cols;
  }
  logits.noalias() += Eigen::Map<const RowMat>(in, rows, in_cols) * t.head;
}

void NcfForward::Probabilities(std::span<const uint32_t> history, std::span<const uint32_t> items,
                               std::span<float> out) const {
  thread_local User u;
  UserOf(history, &u);
  thread_local std::vector<float> scratch;
  if (scratch.size() < scratch_floats_) scratch.resize(scratch_floats_);
  const Eigen::Index m0 = mlp_item_.cols(), c0 = content_item_.cols();
  float* xm_data = scratch.data();
  float* xc_data = xm_data + kBlock * m0;
  float* logit_data = xc_data + kBlock * c0;
  float* layers = logit_data + kBlock;
  const Eigen::Index count = static_cast<Eigen::Index>(std::min(items.size(), out.size()));
  for (Eigen::Index start = 0; start < count; start += kBlock) {
    const Eigen::Index rows = std::min(kBlock, count - start);
    Eigen::Map<RowMat> xm(xm_data, rows, m0), xc(xc_data, rows, c0);
    Eigen::Map<Eigen::VectorXf> logits(logit_data, rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
      const uint32_t item = items[start + r];
      // Unknown items are computed as item 0 and answered -1 below.
      const Eigen::Index row = item < num_items_ ? item : 0;
      xm.row(r) = (mlp_item_.row(row) + u.mlp).cwiseMax(0.0f);
      xc.row(r) = (content_item_.row(row) + u.cont).cwiseMax(0.0f);
      logits[r] = qg_.row(row).dot(u.gmf);
    }
    RunTower(mlp_, xm, layers, logits);
    RunTower(content_, xc, layers, logits);
    for (Eigen::Index r = 0; r < rows; ++r) {
      out[start + r] =
          items[start + r] < num_items_ ? 1.0f / (1.0f + std::exp(-(logits[r] + bias_))) : -1.0f;
    }
  }
}

}  // namespace recplat::ncf::internal
