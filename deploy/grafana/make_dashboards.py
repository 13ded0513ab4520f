#!/usr/bin/env python3
"""Writes recplat's Grafana dashboards (deploy/grafana/*.json) from the panel lists below.

The JSON files are generated and committed; edit this script and rerun it
(`python3 deploy/grafana/make_dashboards.py`). tests/deploy/check_observability.py fails when
the committed files differ from what this script writes, and the live-Prometheus e2e test
(tests/e2e/prometheus_e2e_test.cc) runs every query against a running recplat.

Every query filters on the dashboard variables $job and $instance (picked from
recplat_build_info) and uses $__rate_interval for rates, so it works at any scrape interval.
Dashboards are described in words in docs/operations.md ("Dashboards").

Usage: make_dashboards.py [--out DIR]   (default: the directory of this script)
"""
import argparse
import json
import os

SEL = 'job=~"$job", instance=~"$instance"'
RI = "$__rate_interval"
SERVER_GRPC_CODES = "INTERNAL|UNKNOWN|DATA_LOSS|UNAVAILABLE|DEADLINE_EXCEEDED"
PROBES = "/healthz|/readyz"


def sel(extra=""):
    """The label matchers of every query: the variables, then `extra`."""
    return "{" + SEL + (", " + extra if extra else "") + "}"


def rate(metric, extra="", by=None):
    inner = f"rate({metric}{sel(extra)}[{RI}])"
    return f"sum by ({by}) ({inner})" if by else f"sum({inner})"


def quantile(q, metric, by, extra=""):
    return (f"histogram_quantile({q}, sum by (le, {by}) "
            f"(rate({metric}_bucket{sel(extra)}[{RI}])))")


def ratio(num, den):
    """num / den, with 0 (not an empty result) for the groups where num has no series yet."""
    return f"({num} or {den} * 0) / {den}"


# A panel: (title, type, unit, [(expr, legend)], width). Types: timeseries, stat, table.
def ts(title, unit, targets, width=12):
    return (title, "timeseries", unit, targets, width)


def stat(title, unit, targets, width=6):
    return (title, "stat", unit, targets, width)


def table(title, targets, width=12):
    return (title, "table", "none", targets, width)


def http_panels(route_filter, what):
    """Traffic, errors and latency of the HTTP routes matching `route_filter`."""
    routes = f'route=~"{route_filter}"'
    return [
        ts(f"{what} requests by route", "reqps",
           [(rate("recplat_http_requests_total", routes, "route, method"),
             "{{method}} {{route}}")]),
        ts(f"{what} responses by status", "reqps",
           [(rate("recplat_http_requests_total", routes, "code"), "{{code}}")]),
        ts(f"{what} 5xx ratio by route", "percentunit",
           [(ratio(rate("recplat_http_requests_total", routes + ', code=~"5.."', "route"),
                   rate("recplat_http_requests_total", routes, "route")), "{{route}}")]),
        ts(f"{what} latency p50 / p99 by route", "s",
           [(quantile(0.5, "recplat_http_request_latency_seconds", "route", routes),
             "p50 {{route}}"),
            (quantile(0.99, "recplat_http_request_latency_seconds", "route", routes),
             "p99 {{route}}")]),
    ]


OVERVIEW = [
    ("Traffic", [
        ts("HTTP requests by route", "reqps",
           [(rate("recplat_http_requests_total", f'route!~"{PROBES}"', "route, method"),
             "{{method}} {{route}}")]),
        ts("gRPC calls by method", "reqps",
           [(rate("recplat_grpc_requests_total", "", "method"), "{{method}}")]),
        ts("Events appended by type", "ops",
           [(rate("recplat_events_appended_total", "", "type"), "{{type}}")]),
        ts("Log records appended by kind", "ops",
           [(rate("recplat_log_records_appended_total", "", "kind"), "{{kind}}")]),
    ]),
    ("Errors", [
        ts("HTTP 5xx ratio (probes excluded)", "percentunit",
           [(ratio(rate("recplat_http_requests_total", f'route!~"{PROBES}", code=~"5.."'),
                   rate("recplat_http_requests_total", f'route!~"{PROBES}"')), "5xx")]),
        ts("gRPC server-error ratio", "percentunit",
           [(ratio(rate("recplat_grpc_requests_total", f'code=~"{SERVER_GRPC_CODES}"'),
                   rate("recplat_grpc_requests_total")), "server errors")]),
        ts("HTTP responses by status", "reqps",
           [(rate("recplat_http_requests_total", "", "code"), "{{code}}")]),
        ts("gRPC calls by code", "reqps",
           [(rate("recplat_grpc_requests_total", "", "code"), "{{code}}")]),
        ts("Events rejected by reason", "ops",
           [(rate("recplat_events_rejected_total", "", "reason"), "{{reason}}")]),
        ts("Model call errors by model", "ops",
           [(rate("recplat_model_errors_total", "", "model"), "{{model}}")]),
        ts("Requests refused by the API-key check", "reqps",
           [(rate("recplat_auth_failures_total", "", "transport, reason"),
             "{{transport}} {{reason}}")]),
    ]),
    ("Latency", [
        ts("HTTP latency p99 by route", "s",
           [(quantile(0.99, "recplat_http_request_latency_seconds", "route",
                      f'route!~"{PROBES}"'), "{{route}}")]),
        ts("gRPC latency p99 by method", "s",
           [(quantile(0.99, "recplat_grpc_request_latency_seconds", "method"), "{{method}}")]),
        ts("Engine stage latency p99", "s",
           [(quantile(0.99, "recplat_engine_stage_latency_seconds", "stage"), "{{stage}}")]),
        ts("Requests slower than 250 ms (SLO: at most 1%)", "percentunit",
           [(f"recplat:latency_slow_ratio:rate5m{sel()}", "5m {{instance}}"),
            (f"recplat:latency_slow_ratio:rate1h{sel()}", "1h {{instance}}")]),
    ]),
    ("Recommendations", [
        ts("Lists by stage, model and version", "ops",
           [(rate("recplat_recommend_stage_total", "", "surface, stage, model, version"),
             "{{surface}} {{stage}} {{model}} v{{version}}")], 24),
        ts("Response cache hit ratio by surface", "percentunit",
           [(rate("recplat_engine_cache_hits_total", "", "surface") + " / (" +
             rate("recplat_engine_cache_hits_total", "", "surface") + " + " +
             rate("recplat_engine_cache_misses_total", "", "surface") + ")", "{{surface}}")]),
        ts("Served lists written / dropped", "ops",
           [(rate("recplat_engine_served_lists_written_total"), "written"),
            (rate("recplat_engine_served_lists_dropped_total"), "dropped")]),
    ]),
    ("Event log and state", [
        ts("Materializer lag", "short",
           [(f"recplat_materializer_lag_records{sel()}", "{{instance}}")]),
        ts("Records applied", "ops",
           [(f"rate(recplat_materializer_applied_offset{sel()}[{RI}])", "{{instance}}")]),
        stat("Corrupt records skipped", "short",
             [(f"sum(recplat_materializer_corrupt_records{sel()})", "corrupt")]),
        stat("Data directory free", "percentunit",
             [(f"min(recplat_data_dir_avail_bytes{sel()} / recplat_data_dir_size_bytes{sel()})",
               "free")]),
    ]),
    ("Training and models", [
        ts("Trainings per hour by model and outcome", "short",
           [(f"sum by (model, outcome) (increase(recplat_trainings_total{sel()}[1h]))",
             "{{model}} {{outcome}}")]),
        ts("Training duration p90 by model", "s",
           [(quantile(0.9, "recplat_training_duration_seconds", "model"), "{{model}}")]),
        ts("Training queue", "short",
           [(f"sum(recplat_training_queue_length{sel()})", "queued")]),
        table("Serving model versions",
              [(f"max by (tenant, model) (recplat_model_current_version{sel()})", "")]),
        ts("Age of the serving versions", "s",
           [(f"time() - max by (tenant, model) (recplat_model_created_timestamp_seconds{sel()})",
             "{{tenant}}/{{model}}")]),
        ts("Model quality (at training)", "short",
           [(f"max by (tenant, model, metric) (recplat_model_quality{sel()})",
             "{{tenant}}/{{model}} {{metric}}")]),
        ts("Versions loaded from other processes / registry errors", "short",
           [(f"sum by (result) (increase(recplat_registry_source_loads_total{sel()}[1h]))",
             "loads {{result}}"),
            (f"sum(increase(recplat_registry_source_errors_total{sel()}[1h]))", "errors")]),
    ]),
    ("Process", [
        ts("CPU", "percentunit",
           [(f"rate(process_cpu_seconds_total{sel()}[{RI}])", "{{instance}}")]),
        ts("Resident memory", "bytes",
           [(f"process_resident_memory_bytes{sel()}", "{{instance}}")]),
        ts("Open file descriptors", "short",
           [(f"process_open_fds{sel()}", "open {{instance}}"),
            (f"process_max_fds{sel()}", "limit {{instance}}")]),
        stat("Ready replicas", "short", [(f"sum(recplat_ready{sel()})", "ready")]),
        stat("Uptime", "s", [(f"min(time() - process_start_time_seconds{sel()})", "uptime")]),
        table("Build and profile",
              [(f"recplat_build_info{sel()}", ""), (f"recplat_profile_info{sel()}", "")]),
    ]),
]

RENEWAL = [
    ("JSON-RPC calls", [
        ts("Calls by method", "ops",
           [(rate("recplat_renewal_calls_total", "", "method"), "{{method}}")]),
        ts("Calls by method and code", "ops",
           [(rate("recplat_renewal_calls_total", "", "method, code"),
             "{{method}} {{code}}")]),
        ts("Server-error ratio", "percentunit",
           [(ratio(rate("recplat_renewal_calls_total", f'code=~"{SERVER_GRPC_CODES}"'),
                   rate("recplat_renewal_calls_total")), "server errors")]),
        ts("Handler latency p50 / p99 by method", "s",
           [(quantile(0.5, "recplat_renewal_call_seconds", "method"), "p50 {{method}}"),
            (quantile(0.99, "recplat_renewal_call_seconds", "method"), "p99 {{method}}")]),
    ]),
    ("Backend connection", [
        stat("Event stream connected", "short",
             [(f"min(recplat_renewal_connected{sel()})", "connected")]),
        ts("Connections made", "short",
           [(f"sum(increase(recplat_renewal_connections_total{sel()}[1h]))", "per hour")]),
        ts("Syncs by result", "short",
           [(f"sum by (result) (increase(recplat_renewal_syncs_total{sel()}[1h]))",
             "{{result}} per hour")]),
        ts("Articles synced", "ops",
           [(rate("recplat_renewal_synced_articles_total"), "articles")]),
    ]),
    ("Feed", [
        ts("Feed stage latency p99", "s",
           [(quantile(0.99, "recplat_engine_stage_latency_seconds", "stage", 'surface="feed"'),
             "{{stage}}")]),
        ts("Feed lists by model and version", "ops",
           [(rate("recplat_recommend_stage_total", 'surface="feed"', "stage, model, version"),
             "{{stage}} {{model}} v{{version}}")]),
        ts("Events appended by type", "ops",
           [(rate("recplat_events_appended_total", "", "type"), "{{type}}")]),
        ts("Articles written", "ops",
           [(rate("recplat_log_records_appended_total", 'kind=~"item_upsert|item_delete"',
                  "kind"), "{{kind}}")]),
    ]),
]

ECOSELLER_ROUTES = "/|/store_object|/store_objects|/predict|/predict/product_positions|/dashboard/.*"
ECOSELLER = [
    ("ecoseller routes", http_panels(ECOSELLER_ROUTES, "ecoseller")),
    ("Predictions", [
        ts("Stage latency p99 by surface", "s",
           [(quantile(0.99, "recplat_engine_stage_latency_seconds", "surface, stage"),
             "{{surface}} {{stage}}")]),
        ts("Lists by surface, model and version", "ops",
           [(rate("recplat_recommend_stage_total", "", "surface, stage, model, version"),
             "{{surface}} {{stage}} {{model}} v{{version}}")]),
        ts("Response cache hit ratio by surface", "percentunit",
           [(rate("recplat_engine_cache_hits_total", "", "surface") + " / (" +
             rate("recplat_engine_cache_hits_total", "", "surface") + " + " +
             rate("recplat_engine_cache_misses_total", "", "surface") + ")", "{{surface}}")]),
        ts("Model call errors by model", "ops",
           [(rate("recplat_model_errors_total", "", "model"), "{{model}}")]),
    ]),
    ("Shop data and training", [
        ts("Store writes by kind", "ops",
           [(rate("recplat_log_records_appended_total", "", "kind"), "{{kind}}")]),
        ts("Events appended by type", "ops",
           [(rate("recplat_events_appended_total", "", "type"), "{{type}}")]),
        ts("Trainings per hour by model and outcome", "short",
           [(f"sum by (model, outcome) (increase(recplat_trainings_total{sel()}[1h]))",
             "{{model}} {{outcome}}")]),
        table("Serving model versions",
              [(f"max by (tenant, model) (recplat_model_current_version{sel()})", "")]),
    ]),
]

EOSC_ROUTES = "/|/swagger.json|/health|/recommendations|/user_actions|/database_dumps|/update|/training"
EOSC = [
    ("eosc routes", http_panels(EOSC_ROUTES, "eosc")),
    ("Recommendations and engines", [
        ts("eosc stage latency p99", "s",
           [(quantile(0.99, "recplat_engine_stage_latency_seconds", "stage", 'surface="eosc"'),
             "{{stage}}")]),
        ts("eosc lists by engine (model) and version", "ops",
           [(rate("recplat_recommend_stage_total", 'surface="eosc"', "stage, model, version"),
             "{{stage}} {{model}} v{{version}}")]),
        ts("Model call errors by model", "ops",
           [(rate("recplat_model_errors_total", "", "model"), "{{model}}")]),
        ts("User actions appended by type", "ops",
           [(rate("recplat_events_appended_total", "", "type"), "{{type}}")]),
    ]),
    ("Catalogue imports and training", [
        ts("Catalogue and user writes by kind", "ops",
           [(rate("recplat_log_records_appended_total", "", "kind"), "{{kind}}")]),
        ts("Trainings per hour by model and outcome", "short",
           [(f"sum by (model, outcome) (increase(recplat_trainings_total{sel()}[1h]))",
             "{{model}} {{outcome}}")]),
        ts("Training duration p99 by model", "s",
           [(quantile(0.99, "recplat_training_duration_seconds", "model"), "{{model}}")]),
        table("Serving model versions",
              [(f"max by (tenant, model) (recplat_model_current_version{sel()})", "")]),
    ]),
    ("Databus (eosc.databus_enabled)", [
        stat("Connected to the broker", "short",
             [(f"min(recplat_eosc_databus_connected{sel()})", "connected")]),
        ts("Recommendations published by result", "ops",
           [(rate("recplat_eosc_databus_publications_total", "", "result"), "{{result}}")]),
        ts("Recommendations awaiting the broker's receipt", "short",
           [(f"sum(recplat_eosc_databus_unconfirmed{sel()})", "unconfirmed")]),
        ts("User actions received by result", "ops",
           [(rate("recplat_eosc_databus_user_actions_total", "", "result"), "{{result}}")]),
    ]),
]

ARTICLE_REC_ROUTES = "/|/health|/recs|/models.*"
ARTICLE_REC = [
    ("article_rec routes", http_panels(ARTICLE_REC_ROUTES, "article_rec")),
    ("Models from the batch", [
        table("Serving model versions",
              [(f"max by (tenant, model) (recplat_model_current_version{sel()})", "")]),
        ts("Age of the serving version by model", "s",
           [(f"time() - max by (model) (recplat_model_created_timestamp_seconds{sel()})",
             "{{model}}")]),
        ts("Trainings per day by model and outcome", "short",
           [(f"sum by (model, outcome) (increase(recplat_trainings_total{sel()}[1d]))",
             "{{model}} {{outcome}}")]),
        ts("Versions loaded from the model source", "ops",
           [(rate("recplat_registry_source_loads_total", "", "result"), "{{result}}")]),
    ]),
]

CLUSTER = [
    ("JetStream event log (log.backend: jetstream)", [
        ts("Stream messages behind, by replica", "short",
           [(f"recplat_log_stream_lag{sel()}", "{{instance}}")]),
        ts("Stream sequence copied, by replica", "short",
           [(f"recplat_log_stream_sequence{sel()}", "{{instance}}")]),
        ts("Publish latency p50 / p99 (append until the stream's ack)", "s",
           [(quantile(0.5, "recplat_log_publish_seconds", "instance"), "p50 {{instance}}"),
            (quantile(0.99, "recplat_log_publish_seconds", "instance"), "p99 {{instance}}")]),
        ts("Failed appends by code", "ops",
           [(rate("recplat_log_publish_failures_total", "", "code"), "{{code}}")]),
    ]),
    ("Training lease", [
        table("Lease holders now (1: this replica trains the model)",
              [(f"max by (instance, model) (recplat_training_lease_held{sel()}) == 1", "")]),
        ts("Trainings skipped for the lease, by reason", "short",
           [(f"sum by (model, reason) (increase(recplat_training_lease_skips_total{sel()}[1h]))",
             "{{model}} {{reason}} per hour")]),
        ts("Trainings per hour by model and outcome", "short",
           [(f"sum by (model, outcome) (increase(recplat_trainings_total{sel()}[1h]))",
             "{{model}} {{outcome}}")]),
        table("Serving versions by replica",
              [(f"max by (instance, tenant, model) (recplat_model_current_version{sel()})", "")]),
    ]),
    ("S3 model store (registry.store: s3)", [
        ts("Requests by operation and code", "ops",
           [(rate("recplat_registry_store_requests_total", "", "operation, code"),
             "{{operation}} {{code}}")]),
        ts("Request latency p99 by operation", "s",
           [(quantile(0.99, "recplat_registry_store_request_seconds", "operation"),
             "{{operation}}")]),
        ts("Versions loaded from the store, by result", "short",
           [(f"sum by (result) (increase(recplat_registry_source_loads_total{sel()}[1h]))",
             "{{result}} per hour")]),
        ts("Readiness by replica", "short",
           [(f"recplat_ready{sel()}", "{{instance}}")]),
    ]),
]


def variables():
    def query_var(name, query):
        return {
            "name": name, "label": name, "type": "query",
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "query": {"query": query, "refId": name},
            "definition": query, "refresh": 2, "includeAll": True, "multi": True,
            "allValue": ".*", "current": {"text": "All", "value": "$__all"}, "sort": 1,
        }
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}},
        query_var("job", "label_values(recplat_build_info, job)"),
        query_var("instance", 'label_values(recplat_build_info{job=~"$job"}, instance)'),
    ]}


def build(uid, title, description, rows):
    panels = []
    y = 0
    next_id = 1
    for row_title, row_panels in rows:
        panels.append({"id": next_id, "type": "row", "title": row_title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        next_id += 1
        y += 1
        x = 0
        for title, kind, unit, targets, width in row_panels:
            if x + width > 24:
                x = 0
                y += 8
            panel = {
                "id": next_id, "type": kind, "title": title,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"h": 8, "w": width, "x": x, "y": y},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [],
            }
            for i, (expr, legend) in enumerate(targets):
                target = {"refId": chr(ord("A") + i), "expr": expr,
                          "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                if legend:
                    target["legendFormat"] = legend
                if kind == "table":
                    target["instant"] = True
                    target["format"] = "table"
                panel["targets"].append(target)
            panels.append(panel)
            next_id += 1
            x += width
        y += 8
    return {
        "uid": uid, "title": title, "description": description,
        "tags": ["recplat"], "timezone": "browser", "schemaVersion": 37, "version": 1,
        "editable": True, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": variables(), "annotations": {"list": []}, "panels": panels,
    }


DASHBOARDS = {
    "recplat-overview.json": build(
        "recplat-overview", "recplat / overview",
        "Every recplat process: traffic, errors, latency, recommendations, the event log, "
        "training and models, the process (docs/operations.md).", OVERVIEW),
    "recplat-cluster.json": build(
        "recplat-cluster", "recplat / cluster",
        "Several core replicas on the NATS JetStream log and the S3 model store: stream lag and "
        "publishing, the training lease, model versions per replica, store requests "
        "(docs/operations.md).", CLUSTER),
    "recplat-renewal.json": build(
        "recplat-renewal", "recplat / renewal",
        "The renewal profile: the Renewal backend's JSON-RPC calls, its connection and syncs, "
        "the feed surface (docs/operations.md).", RENEWAL),
    "recplat-ecoseller.json": build(
        "recplat-ecoseller", "recplat / ecoseller",
        "The ecoseller profile: its HTTP routes, predictions per surface, shop writes and "
        "training (docs/operations.md).", ECOSELLER),
    "recplat-eosc.json": build(
        "recplat-eosc", "recplat / eosc",
        "The eosc profile: its HTTP routes, recommendations by engine, user actions, catalogue "
        "imports and training (docs/operations.md).", EOSC),
    "recplat-article_rec.json": build(
        "recplat-article_rec", "recplat / article_rec",
        "The article_rec profile: its HTTP routes and the models the batch job trains "
        "(docs/operations.md).", ARTICLE_REC),
}


def render(dashboard):
    return json.dumps(dashboard, indent=2, sort_keys=True) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    for name, dashboard in DASHBOARDS.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write(render(dashboard))


if __name__ == "__main__":
    main()
