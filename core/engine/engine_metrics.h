// File: engine_metrics.h
//
// The engine's Prometheus metrics, declared once and shared by its stages.
//
// Thread-safety: prometheus-cpp counters and families are thread-safe.
#pragma once

#include "core/common/metrics/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace recplat::engine {

struct EngineMetrics {
  explicit EngineMetrics(prometheus::Registry& r)
      : stage(prometheus::BuildCounter()
                  .Name("recplat_recommend_stage_total")
                  .Help("Which model (and version) served each cascade stage of the lists "
                        "recommended, by surface, stage, model and version")
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
                         .Register(r)),
        stage_latency(prometheus::BuildHistogram()
                          .Name("recplat_engine_stage_latency_seconds")
                          .Help("Time spent in each stage of Recommend (context, retrieval, "
                                "scoring, ordering), by surface and stage")
                          .Register(r)) {}

  // The stage timers of one surface, created once per configured surface.
  struct StageTimers {
    explicit StageTimers(prometheus::Family<prometheus::Histogram>& f, const std::string& surface)
        : context(&Add(f, surface, "context")),
          retrieval(&Add(f, surface, "retrieval")),
          scoring(&Add(f, surface, "scoring")),
          ordering(&Add(f, surface, "ordering")) {}
    static prometheus::Histogram& Add(prometheus::Family<prometheus::Histogram>& f,
                                      const std::string& surface, const char* stage) {
      return f.Add({{"surface", surface}, {"stage", stage}}, metrics::LatencyBuckets());
    }
    prometheus::Histogram* context;
    prometheus::Histogram* retrieval;
    prometheus::Histogram* scoring;
    prometheus::Histogram* ordering;
  };

  prometheus::Family<prometheus::Counter>& stage;
  prometheus::Family<prometheus::Counter>& model_errors;
  prometheus::Family<prometheus::Counter>& cache_hits;
  prometheus::Family<prometheus::Counter>& cache_misses;
  prometheus::Family<prometheus::Histogram>& stage_latency;
};

}  // namespace recplat::engine
