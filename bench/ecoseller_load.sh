#!/usr/bin/env bash
# Load test of the ecoseller profile over HTTP keep-alive on loopback, with wrk:
#   1. POST /predict HOMEPAGE served by popularity on a catalogue of VARIANTS variants;
#   2. POST /store_objects with batches of 100 feedback events.
# Usage: bench/ecoseller_load.sh [build dir]   (env: VARIANTS=20000 DURATION=20s CONNECTIONS=32
#        THREADS=2). Prints wrk's report for each; record figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
bin="$build/apps/recplat/recplat"
VARIANTS="${VARIANTS:-20000}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
scripts/install-deps.sh --with-bench >/dev/null
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }

work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" --profile config/ecoseller.yaml --data-dir "$work/data" --set log.sync=none \
  --set grpc.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 \
  --set logging.level=warn --ports-file "$work/ports.json" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/ports.json" ] && break; sleep 0.1; done
http="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$work/ports.json")"
echo "recplat ecoseller profile on $http; $VARIANTS variants"

# The catalogue: products of 2 variants each in 50 categories, stock > 0, a price, a colour and a
# size each, and enough orders (more orders than variants) for popularity to be eligible; then
# train popularity and the content similarity (which also re-ranks the head for diversity).
python3 - "$work" "$VARIANTS" <<'PY'
import json, random, sys
work, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
objs = [{"_model_class": "Category", "id": c, "parent_id": None} for c in range(1, 51)]
# Attributes: a categorical colour (20 values) and a numeric size (7 values).
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
t0=$(date +%s.%N)
for batch in "$work"/batch-*.json; do
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$batch" \
    "http://$http/store_objects" || { echo "store failed: $batch"; cat "$work/server.log"; exit 1; }
done
echo "loaded the catalogue and orders in $(echo "$(date +%s.%N) - $t0" | bc) s"
for model in popularity similarity; do
  curl -s -o "$work/train.out" -w "train $model: HTTP %{http_code}\n" -X POST \
    -d "{\"model\": \"$model\", \"wait\": true}" "http://$http/v1/models/train"
  if grep -q error "$work/train.out"; then cat "$work/train.out"; echo; fi
done
curl -sf "http://$http/v1/models" | python3 -c '
import json, sys
for v in json.load(sys.stdin).get("versions", []):
    if v.get("status") == "MODEL_STATUS_CURRENT":
        print("current:", v["model"], "v" + v.get("version", "0"),
              "fit %.2f s" % v.get("training", {}).get("duration_seconds", 0))'
curl -sf -X POST -d '{"recommendation_type":"HOMEPAGE","session_id":"x","user_id":null,"limit":10}' \
  "http://$http/predict" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("sample:", r[0])'

cat >"$work/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/predict", nil,
    '{"recommendation_type":"HOMEPAGE","session_id":"s' .. (counter % 1000) ..
    '","user_id":null,"limit":10}')
end
done = function(summary, latency, requests)
  io.write(string.format("p50 %.3f ms, p99 %.3f ms, %.0f requests/s\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
LUA
cat >"$work/store.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/events.json")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("p50 %.3f ms, p99 %.3f ms, %.0f batches/s = %.0f events/s\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), 100 * summary.requests / (summary.duration / 1e6)))
end
LUA
echo "== POST /predict HOMEPAGE (popularity, $VARIANTS variants), $CONNECTIONS connections"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/predict.lua" "http://$http"
echo "== POST /store_objects, 100 ProductDetailEnter per batch, $CONNECTIONS connections"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/store.lua" "http://$http/store_objects"
