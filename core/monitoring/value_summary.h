// File: value_summary.h
//
// SummaryAccumulator: the count, average and maximum of a stream of values as a
// v1::ValueSummary, and Ratio. Every figure of an empty set is 0 and non-finite values are left
// out, so monitoring answers never hold NaN or infinity.
//
// Thread-safety: plain values; not synchronised.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "recplat/v1/monitoring.pb.h"

namespace recplat::monitoring {

class SummaryAccumulator {
 public:
  void Add(double value) {
    if (!std::isfinite(value)) return;
    max_ = count_ == 0 ? value : std::max(max_, value);
    sum_ += value;
    ++count_;
  }

  v1::ValueSummary ToProto() const {
    v1::ValueSummary out;
    out.set_count(count_);
    out.set_avg(count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_));
    out.set_max(count_ == 0 ? 0.0 : max_);
    return out;
  }

 private:
  double sum_ = 0;
  double max_ = 0;
  int64_t count_ = 0;
};

// numerator / denominator, 0 when the denominator is 0.
inline double Ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace recplat::monitoring
