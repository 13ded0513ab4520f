// The article_rec job's ALS on trainers/als (article_als.h).
#include "trainers/article_rec/article_als.h"

#include <cmath>

namespace recplat::article_rec {

als::IalsOptions JobAlsOptions() {
  als::IalsOptions o;
  o.factors = 130;
  o.l2 = 2.319952;
  o.epochs = 2;
  o.unobserved_weight = 1.0;
  o.nu = 0.0;
  o.hkv_preference = true;
  o.cg_steps = 10;
  o.cg_from_zero = true;
  o.init_stddev = std::sqrt(static_cast<double>(o.factors));
  o.seed = 42;
  return o;
}

als::SparseMatrix ToSparseRows(const Eigen::SparseMatrix<float, Eigen::RowMajor>& confidence) {
  als::SparseMatrix m;
  m.num_cols = static_cast<uint32_t>(confidence.cols());
  m.offsets.reserve(static_cast<size_t>(confidence.rows()) + 1);
  for (Eigen::Index r = 0; r < confidence.outerSize(); ++r) {
    for (Eigen::SparseMatrix<float, Eigen::RowMajor>::InnerIterator it(confidence, r); it; ++it) {
      if (it.value() > 0) {
        m.cols.push_back(static_cast<uint32_t>(it.col()));
        m.weights.push_back(it.value());
      }
    }
    m.offsets.push_back(m.cols.size());
  }
  return m;
}

}  // namespace recplat::article_rec
