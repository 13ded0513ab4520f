#!/usr/bin/env bash
# Load test of the ecoseller profile over HTTP keep-alive on loopback, with wrk, side by side in
# one run on one machine (so every figure is read as a ratio against the ceiling measured here):
#   ceiling   a bare Beast server (bench/bare_http_echo) answering a canned /predict body;
#   old       OLD_BIN (the previous recplat binary, with its own profile OLD_PROFILE), if set;
#   all       this build, role all (one process);
#   split     this build, role core + role frontend on the same machine (the extra gRPC hop).
# For each recplat setup: store VARIANTS variants (2 per product, 50 categories, a price, a
# colour and a size each) and more orders than variants, train popularity and similarity, then
#   1. POST /predict HOMEPAGE (anonymous, sessions cycling over SESSIONS ids, limit 10);
#   2. POST /store_objects with batches of 100 ProductDetailEnter.
# Usage: bench/ecoseller_load.sh [build dir]
#   env: VARIANTS=20000 DURATION=20s CONNECTIONS=32 THREADS=2 SESSIONS=1000
#        PREDICT_CONNECTIONS="8 32" (the /predict run once per value; default: CONNECTIONS)
#        OLD_BIN=/path/to/old/recplat OLD_PROFILE=/path/to/old/ecoseller.yaml
#        SETUPS="ceiling old all split"
#        ALL_ARGS="--set k=v ..." (extra arguments of the `all` setup)
# Prints one line per setup and measurement; record figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
bin="$build/apps/recplat/recplat"
echo_bin="$build/bench/bare_http_echo"
VARIANTS="${VARIANTS:-20000}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
SESSIONS="${SESSIONS:-1000}"
PREDICT_CONNECTIONS="${PREDICT_CONNECTIONS:-$CONNECTIONS}"
SETUPS="${SETUPS:-ceiling old all split}"
scripts/install-deps.sh --with-bench >/dev/null
[ -x "$bin" ] && [ -x "$echo_bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }

source bench/lib.sh

# The catalogue, orders and feedback batches (the same for every setup).
python3 - "$work" "$VARIANTS" <<'PY'
import json, random, sys
work, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
objs = [{"_model_class": "Category", "id": c, "parent_id": None} for c in range(1, 51)]
objs += [{"_model_class": "AttributeType", "id": 1, "type": "CATEGORICAL", "type_name": "colour"},
         {"_model_class": "AttributeType", "id": 2, "type": "NUMERICAL", "type_name": "size"}]
objs += [{"_model_class": "Attribute", "id": a, "type": 1, "raw_value": f"colour-{a}",
          "ext_attributes": []} for a in range(1, 21)]
objs += [{"_model_class": "Attribute", "id": 20 + a, "type": 2, "raw_value": str(36 + a),
          "ext_attributes": []} for a in range(1, 8)]
for p in range(n // 2):
    skus = [f"P{p}-{v}" for v in range(2)]
    objs.append({"_model_class": "Product", "id": p, "published": True, "category_id": 1 + p % 50,
                 "product_translations": [], "product_variants": skus,
                 "update_at": "2023-08-01T00:00:00Z", "create_at": "2023-08-01T00:00:00Z"})
    for v, s in enumerate(skus):
        objs.append({"_model_class": "ProductVariant", "sku": s, "ean": s, "stock_quantity": 5,
                     "recommendation_weight": 1.0, "attributes": [1 + (p + v) % 20, 21 + p % 7],
                     "update_at": "2023-08-01T00:00:00Z", "create_at": "2023-08-01T00:00:00Z"})
        objs.append({"_model_class": "ProductPrice", "id": 2 * p + v, "price_list_code": "EUR",
                     "product_variant_sku": s, "price": round(random.uniform(5, 500), 2),
                     "update_at": "2023-08-01T00:00:00Z", "create_at": "2023-08-01T00:00:00Z"})
orders = []
for o in range(n + 100):
    sku = f"P{int(random.paretovariate(1.2)) % (n // 2)}-0"
    orders.append({"_model_class": "Order", "token": f"o{o}", "session_id": f"s{o}",
                   "product_variants": [[sku, 1 + o % 3]],
                   "update_at": "2023-08-02T00:00:00Z", "create_at": "2023-08-02T00:00:00Z"})
batches = [objs[c:c + 1000] for c in range(0, len(objs), 1000)]
batches += [orders[c:c + 1000] for c in range(0, len(orders), 1000)]
for i, batch in enumerate(batches):
    with open(f"{work}/batch-{i:05d}.json", "w") as f:
        json.dump(batch, f)
events = [{"_model_class": "ProductDetailEnter", "session_id": f"b{i % 500}", "user_id": None,
           "product_id": i % (n // 2), "product_variant_sku": f"P{i % (n // 2)}-0"}
          for i in range(100)]
with open(f"{work}/events.json", "w") as f:
    json.dump(events, f)
PY

cat >"$work/predict.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/predict", nil,
    '{"recommendation_type":"HOMEPAGE","session_id":"s' .. (counter % $SESSIONS) ..
    '","user_id":null,"limit":10}')
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f req/s p50 %.3f ms p99 %.3f ms errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
cat >"$work/store.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/events.json")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f events/s p50 %.3f ms p99 %.3f ms errors %d\n",
    100 * summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
LUA

wrk_run() {  # wrk_run <label> <script> <url> [connections]
  local out connections="${4:-$CONNECTIONS}"
  out="$(wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency -s "$2" "$3")"
  echo "$1 (${connections} connections): $(grep RESULT <<<"$out" | sed 's/RESULT //')"
}

predict_runs() {  # predict_runs <label> <url>: /predict once per PREDICT_CONNECTIONS value
  for c in $PREDICT_CONNECTIONS; do wrk_run "$1 /predict HOMEPAGE" "$work/predict.lua" "$2" "$c"; done
}

# Loads the shop into the recplat answering at http://$1 and trains its models.
load_shop() {  # load_shop <http address> <label>
  local http="$1" t0
  t0=$(date +%s.%N)
  for batch in "$work"/batch-*.json; do
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$batch" \
      "http://$http/store_objects" || { echo "$2: store failed: $batch" >&2; return 1; }
  done
  echo "$2: loaded $VARIANTS variants and their orders in $(echo "$(date +%s.%N) - $t0" | bc) s"
  for model in popularity similarity; do
    curl -sf -o /dev/null -X POST -d "{\"model\": \"$model\", \"wait\": true}" \
      "http://$http/v1/models/train" || echo "$2: training $model failed" >&2
  done
  curl -sf -X POST -d '{"recommendation_type":"HOMEPAGE","session_id":"x","user_id":null,"limit":10}' \
    "http://$http/predict" | python3 -c "import json,sys; r=json.load(sys.stdin); print('$2: sample', r[0])"
}

# Starts recplat; the remaining arguments go to it. Sets $started_http and $started_metrics.
start_recplat() {  # start_recplat <name> <binary> <args...>
  local name="$1" binary="$2"
  shift 2
  "$binary" "$@" --set log.sync=none --set logging.level=warn \
    --set grpc.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 \
    --ports-file "$work/$name.ports" 2>"$work/$name.log" &
  pids+=($!)
  started_http="$(port_of "$work/$name.ports" http)"
  started_metrics="$(port_of "$work/$name.ports" metrics)"
}

cache_ratio() {  # cache_ratio <metrics address>
  curl -sf "http://$1/metrics" | python3 -c '
import sys
hits = misses = 0.0
for line in sys.stdin:
    if line.startswith("recplat_engine_cache_hits_total{") and "HOMEPAGE" in line:
        hits += float(line.split()[-1])
    if line.startswith("recplat_engine_cache_misses_total{") and "HOMEPAGE" in line:
        misses += float(line.split()[-1])
print("cache hit ratio %.3f (%d hits, %d misses)" % (hits / max(1, hits + misses), hits, misses))'
}

for setup in $SETUPS; do
  case "$setup" in
    ceiling)
      "$echo_bin" --listen 127.0.0.1:0 --threads 2 >"$work/echo.out" &
      pids+=($!)
      for _ in $(seq 1 100); do [ -s "$work/echo.out" ] && break; sleep 0.1; done
      addr="$(sed 's/listening on //' "$work/echo.out")"
      predict_runs "ceiling (bare Beast)" "http://$addr"
      stop_pids "${pids[-1]}"
      ;;
    old)
      if [ -z "${OLD_BIN:-}" ]; then echo "old: OLD_BIN not set, skipped"; continue; fi
      start_recplat old "$OLD_BIN" --profile "${OLD_PROFILE:?OLD_PROFILE is required with OLD_BIN}" \
        --data-dir "$work/old-data"
      load_shop "$started_http" old
      predict_runs old "http://$started_http"
      wrk_run "old /store_objects" "$work/store.lua" "http://$started_http/store_objects"
      stop_pids "${pids[-1]}"
      ;;
    all)
      start_recplat all "$bin" --profile config/ecoseller.yaml --data-dir "$work/all-data" ${ALL_ARGS:-}
      load_shop "$started_http" all
      predict_runs all "http://$started_http"
      echo "all: $(cache_ratio "$started_metrics")"
      wrk_run "all /store_objects" "$work/store.lua" "http://$started_http/store_objects"
      stop_pids "${pids[-1]}"
      ;;
    split)
      start_recplat core "$bin" --profile config/ecoseller.yaml --data-dir "$work/split-data" \
        --set role=core
      core_pid="${pids[-1]}"
      core_metrics="$started_metrics"
      grpc="$(port_of "$work/core.ports" grpc)"
      # A frontend waits on the core: more HTTP threads than cores keep requests in flight.
      start_recplat frontend "$bin" --profile config/ecoseller.yaml --set role=frontend \
        --set http.threads=${FRONTEND_THREADS:-32} \
        --set "core.address=$grpc"
      load_shop "$started_http" split
      predict_runs split "http://$started_http"
      echo "split: $(cache_ratio "$core_metrics")"
      wrk_run "split /store_objects" "$work/store.lua" "http://$started_http/store_objects"
      stop_pids "${pids[-1]}" "$core_pid"
      ;;
    *) echo "unknown setup '$setup'" >&2; exit 2 ;;
  esac
done
