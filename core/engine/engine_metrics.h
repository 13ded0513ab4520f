// File: engine_metrics.h
//
// The engine's Prometheus metrics, declared once and shared by its stages.
//
// Thread-safety: prometheus-cpp counters and families are thread-safe.
#pragma once

#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace recplat::engine {

struct EngineMetrics {
  explicit EngineMetrics(prometheus::Registry& r)
      : stage(prometheus::BuildCounter()
                  .Name("recplat_recommend_stage_total")
                  .Help("Which model served each cascade stage, by surface, stage and model")
                  .Register(r)),
        model_errors(prometheus::BuildCounter()
                         .Name("recplat_model_errors_total")
                         .Help("Model calls that failed (the cascade moved on), by model")
                         .Register(r)),
        cache_hits(prometheus::BuildCounter()
                       .Name("recplat_engine_cache_hits_total")
                       .Help("Recommend calls answered from the response cache, by surface")
                       .Register(r)),
        cache_misses(prometheus::BuildCounter()
                         .Name("recplat_engine_cache_misses_total")
                         .Help("Recommend calls on a cached surface that the cache could not "
                               "answer, by surface")
                         .Register(r)) {}

  prometheus::Family<prometheus::Counter>& stage;
  prometheus::Family<prometheus::Counter>& model_errors;
  prometheus::Family<prometheus::Counter>& cache_hits;
  prometheus::Family<prometheus::Counter>& cache_misses;
};

}  // namespace recplat::engine
