// File: served_evaluation.h
//
// EvaluateServed: the online evaluation of served recommendations (Api::EvaluateServed,
// proto/recplat/v1/monitoring.proto): the lists the engine served in a time range against the
// click events that attribute a visit to a served list. Pure: the records come from two scans,
// so the figures can be checked on hand-made records without a state store.
//
// Over the inclusive range [from_ms, to_ms], for the set S of "general" (every served list)
// or of one model m:
//   predictions      #lists in range scored by m (scoring model: scoring_model, else
//                    retrieval_model).
//   hits             #clicks in range with a model and a surface in their context and a
//                    position in [0, k), attributed to m (model = m).
//   hit_rate         hits / predictions (it may exceed 1: clicks are not joined to lists).
//   future_hits      predictions counted above for which the same session has a click in range
//                    with model = the list's scoring model, surface = the list's surface and an
//                    item among the list's items (all of them, not only the first k), at or
//                    after the list was served (its time or later).
//   covered_items    #distinct items of those predictions; coverage = covered / max(live, 1).
//   retrieval_seconds  summary of retrieval_seconds of the lists in range retrieved by m.
//   scoring_seconds    summary of scoring_seconds of the lists in range scored by m.
// Each step's time is charged to the model that ran it. Ratios and summaries of an empty set
// are 0.
//
// Thread-safety: a pure function; thread-safe when the scans are.
#pragma once

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "recplat/v1/events.pb.h"
#include "recplat/v1/monitoring.pb.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::monitoring {

// A scan calls its argument once per record, in any order, and returns the scan's status.
template <typename Record>
using RecordScan =
    std::function<absl::Status(const std::function<void(const Record&)>& record)>;

// Evaluates for `request` (normalised by api::NormalizeEvaluateServed: the context keys are set,
// k >= 1). `clicks` yields events of request.clicks.event_type and `served` the served lists,
// each at least those in the range (records outside it are ignored). `live_items` is the
// denominator of coverage. Returns the first scan error.
absl::StatusOr<v1::EvaluateServedResponse> EvaluateServed(const v1::EvaluateServedRequest& request,
                                                          const RecordScan<v1::Event>& clicks,
                                                          const RecordScan<v1::ServedList>& served,
                                                          int64_t live_items);

}  // namespace recplat::monitoring
