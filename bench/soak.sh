#!/usr/bin/env bash
# Bounded load-and-soak of one profile on loopback: starts `recplat --profile config/<profile>.yaml`,
# drives it with a mixed read/write load for ROUNDS rounds of ROUND seconds, and samples the
# server's resident memory, open file descriptors and threads from /proc after the warm-up round
# and after every later round. A leak shows as growth from round to round once the caches are
# warm; bounded structures (response cache, RocksDB memtables and block cache) level off.
#   default    wrk: POST /v1/events (batches of 20 views over 50,000 users and 20,000 items)
#              and POST /v1/recommend for random users, 1:4;
#   ecoseller  wrk: POST /store_objects (batches of 20 ProductDetailEnter) and POST /predict
#              (HOMEPAGE, PRODUCT_DETAIL, CATEGORY_LIST over 2,000 variants), 1:4;
#   renewal    the Renewal backend simulator (tools/renewal_sim) with MIND articles: refreshes of
#              every user and interactions broadcast to recplat, as fast as it answers;
#   eosc       POST /update of a synthetic dump (bench/eosc_dump.py: 2,000 services, 5,000
#              users; NCF trains on it) in the warm-up, then wrk: POST /user_actions (a click on
#              a recommended service, an order now and then) and POST /recommendations (logged-in
#              users, both panels, a third with a `q` search), 1:4;
#   article_rec  `recplat batch` of synthetic Snowplow events (bench/article_rec/gen_snowplow.py,
#              200,000 events over 2,000 articles, in s3rver on loopback) against the running
#              server, then wrk: GET /recs (nearest articles of a random article, a third with
#              `exclude`, some of an unknown article: the popularity fallback) and GET /models;
#              with WRITES=1 every round starts with another batch (new versions, the old ones
#              go stale and are pruned) while wrk runs.
# Usage: bench/soak.sh <profile> [build dir]
#   env: ROUNDS=4 ROUND=60 (seconds) CONNECTIONS=8 THREADS=2 SETS="key=value ..." (server overrides)
#        WRITES=1: the rounds after the warm-up write too (the data keeps growing, and with it
#        the state and what each training reads); WRITES=0: they only read (default and
#        ecoseller; the warm-up always writes), which isolates leaks on the serving path.
# Prints one line per sample ("round N: rss MiB, fds, threads, requests/s; the state store's
# RocksDB memtables, block cache and table readers") and the growth from
# the first sample to the last; record figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:?usage: bench/soak.sh default|ecoseller|renewal|eosc|article_rec [build dir]}"
build="${2:-build}"
bin="$build/apps/recplat/recplat"
ROUNDS="${ROUNDS:-4}"
ROUND="${ROUND:-60}"
CONNECTIONS="${CONNECTIONS:-8}"
THREADS="${THREADS:-2}"
WRITES="${WRITES:-1}"
datasets="${RECPLAT_DATASETS:-../shared/datasets}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
case "$profile" in default|ecoseller|renewal|eosc|article_rec) ;; *) echo "unknown profile '$profile'" >&2; exit 2 ;; esac
if [ "$profile" != renewal ]; then scripts/install-deps.sh --with-bench >/dev/null; fi

source bench/lib.sh
source bench/soak_profiles.sh

# Prints "rss_mib fds threads" of process $1.
sample() {
  local rss fds threads
  rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$1/status")
  fds=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)
  echo "$rss $fds $threads"
}

# Counts answered requests from the server's own metrics (every route and JSON-RPC method).
answered() {
  curl -sf "http://$metrics/metrics" | awk '
    /^recplat_http_requests_total\{/ || /^recplat_renewal_calls_total\{/ { n += $NF }
    END { printf "%d\n", n }'
}

# The state store's and the event log's RocksDB memory and the C heap from the process's own
# metrics (recplat_state_memory_bytes, recplat_log_memory_bytes, recplat_heap_bytes), MiB.
state_memory() {
  curl -sf "http://$metrics/metrics" | awk '
    /^recplat_state_memory_bytes\{/ {
      split($1, a, "\""); v[a[2]] = $NF / 1048576 }
    /^recplat_log_memory_bytes\{/ {
      split($1, a, "\""); l[a[2]] = $NF / 1048576 }
    /^recplat_heap_bytes\{/ {
      split($1, a, "\""); h[a[2]] = $NF / 1048576 }
    END { printf "memtables %.0f, block cache %.0f, table readers %.1f MiB; log memtables %.0f, table readers %.1f MiB; heap in use %.0f, free %.0f, mmapped %.0f MiB\n",
                 v["memtables"], v["block_cache"], v["table_readers"], l["memtables"],
                 l["table_readers"], h["in_use"], h["free"], h["mmapped"] }'
}

extra=()
if [ "$profile" = renewal ]; then
  [ -d "$datasets/mind-small-sample" ] || { echo "needs $datasets/mind-small-sample" >&2; exit 1; }
  # Paced so that the sample's ~2,000 articles last all rounds (10 released per step, 10 asked
  # per refresh: a recsystem never returns an article twice to a user).
  steps=170
  interval=$(( (ROUNDS + 1) * ROUND * 1000 / steps ))
  "$build/tools/renewal_sim/renewal-sim" --data "$datasets/mind-small-sample" --users 0 \
    --initial 200 --steps "$steps" --release 10 --shown 10 --max-articles 10 --seed 7 \
    --step-interval-ms "$interval" --linger-seconds "$ROUND" --wait-seconds 60 --sub soak \
    >"$work/sim.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q "^token" "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
  grep -q "^token" "$work/sim.out" || { cat "$work/sim.out" >&2; exit 1; }
  extra=(--token "$(sed -n 's/^token soak: //p' "$work/sim.out")"
         --api-base-uri "$(sed -n 's/^api base uri: //p' "$work/sim.out")")
fi
if [ "$profile" = eosc ]; then
  # A short NCF training: the soak is about the serving path and the retrainings it triggers.
  extra=(--set models.NCF.params.epochs=5 --set models.NCF.train.on_start=false)
fi
# SETS="key=value ...": more --set overrides for the server (e.g. training.enabled=false, to
# tell the write path's memory from the retrainings' working set).
for kv in ${SETS:-}; do extra+=(--set "$kv"); done
"$bin" --profile "config/$profile.yaml" --data-dir "$work/data" "${extra[@]}" \
  --set log.sync=none --set logging.level=warn --set grpc.listen=127.0.0.1:0 \
  --set metrics.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 \
  --ports-file "$work/ports" 2>"$work/server.log" &
server=$!
pids+=("$server")
http="$(port_of "$work/ports" http)"
metrics="$(port_of "$work/ports" metrics)"

# Catalogue and wrk script of the profile.
python3 - "$work" "$profile" <<'PY'
import json, random, sys
work, profile = sys.argv[1], sys.argv[2]
random.seed(11)
if profile == "default":
    items = [{"id": f"i{i}", "categories": [f"c{i % 40}"]} for i in range(20000)]
    for c in range(0, len(items), 1000):
        json.dump({"items": items[c:c + 1000]}, open(f"{work}/load-{c // 1000:03d}.json", "w"))
    json.dump({"path": "/v1/items"}, open(f"{work}/load.meta", "w"))
elif profile == "ecoseller":
    objs = [{"_model_class": "Category", "id": c, "parent_id": None} for c in range(1, 21)]
    for p in range(1000):
        skus = [f"P{p}-{v}" for v in range(2)]
        objs.append({"_model_class": "Product", "id": p, "published": True,
                     "category_id": 1 + p % 20, "product_translations": [],
                     "product_variants": skus, "update_at": "2023-08-01T00:00:00Z",
                     "create_at": "2023-08-01T00:00:00Z"})
        for s in skus:
            objs.append({"_model_class": "ProductVariant", "sku": s, "ean": s,
                         "stock_quantity": 5, "recommendation_weight": 1.0, "attributes": [],
                         "update_at": "2023-08-01T00:00:00Z", "create_at": "2023-08-01T00:00:00Z"})
    for c in range(0, len(objs), 1000):
        json.dump(objs[c:c + 1000], open(f"{work}/load-{c // 1000:03d}.json", "w"))
    json.dump({"path": "/store_objects"}, open(f"{work}/load.meta", "w"))
PY
if [ "$profile" = eosc ]; then prepare_eosc; fi
if [ "$profile" = article_rec ]; then prepare_article_rec; fi

if [ "$profile" = eosc ] || [ "$profile" = article_rec ]; then
  :  # prepared above: load-warm.lua and load-rounds.lua
elif [ "$profile" != renewal ]; then
  path="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["path"])' "$work/load.meta")"
  for f in "$work"/load-*.json; do
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$f" \
      "http://$http$path" || { echo "load failed: $f" >&2; cat "$work/server.log" >&2; exit 1; }
  done
  if [ "$profile" = default ]; then
    cat >"$work/load.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
n = 0
request = function()
  n = n + 1
  if WRITES and n % 5 == 0 then
    local events = {}
    for i = 1, 20 do
      events[i] = string.format('{"user_id":"u%d","item_id":"i%d","type":"view"}',
        math.random(0, 49999), math.random(0, 19999))
    end
    return wrk.format(nil, "/v1/events", nil, '{"events":[' .. table.concat(events, ",") .. ']}')
  end
  return wrk.format(nil, "/v1/recommend", nil,
    string.format('{"user_id":"u%d","k":10}', math.random(0, 49999)))
end
LUA
  else
    cat >"$work/load.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
n = 0
local types = {"HOMEPAGE", "PRODUCT_DETAIL", "CATEGORY_LIST"}
request = function()
  n = n + 1
  local p = math.random(0, 999)
  if WRITES and n % 5 == 0 then
    local events = {}
    for i = 1, 20 do
      local q = math.random(0, 999)
      events[i] = string.format('{"_model_class":"ProductDetailEnter","session_id":"s%d",' ..
        '"user_id":null,"product_id":%d,"product_variant_sku":"P%d-0"}', math.random(0, 9999), q, q)
    end
    return wrk.format(nil, "/store_objects", nil, "[" .. table.concat(events, ",") .. "]")
  end
  local t = types[math.random(1, 3)]
  return wrk.format(nil, "/predict", nil, string.format(
    '{"recommendation_type":"%s","session_id":"s%d","user_id":null,"limit":10,' ..
    '"variants":["P%d-0","P%d-1"],"category_id":%d}', t, math.random(0, 9999), p, p, 1 + p % 20))
end
LUA
  fi
  { echo "WRITES = true"; cat "$work/load.lua"; } >"$work/load-warm.lua"
  { if [ "$WRITES" = 0 ]; then echo "WRITES = false"; else echo "WRITES = true"; fi
    cat "$work/load.lua"; } >"$work/load-rounds.lua"
fi

echo "profile $profile: $ROUNDS rounds of $ROUND s, $CONNECTIONS connections, WRITES=$WRITES"
first=""
for round in $(seq 0 "$ROUNDS"); do
  before=$(answered)
  if [ "$profile" = renewal ]; then
    sleep "$ROUND"
  else
    script="$work/load-rounds.lua"
    [ "$round" -eq 0 ] && script="$work/load-warm.lua"
    if [ "$profile" = article_rec ] && [ "$round" -gt 0 ] && [ "$WRITES" != 0 ]; then
      article_rec_batch >>"$work/batches.log" 2>&1 &
      batch_pid=$!
    fi
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${ROUND}s" -s "$script" "http://$http" \
      >"$work/wrk-$round.out"
    if grep -q "Non-2xx" "$work/wrk-$round.out"; then grep "Non-2xx" "$work/wrk-$round.out"; fi
    if [ -n "${batch_pid:-}" ]; then
      wait "$batch_pid" || { echo "batch failed" >&2; tail -20 "$work/batches.log" >&2; exit 1; }
      batch_pid=""
    fi
  fi
  kill -0 "$server" 2>/dev/null || { echo "server died" >&2; cat "$work/server.log" >&2; exit 1; }
  rate=$(( ($(answered) - before) / ROUND ))
  read -r rss fds threads <<<"$(sample "$server")"
  label="round $round"
  [ "$round" -eq 0 ] && label="warm-up"
  echo "$label: rss ${rss} MiB, fds $fds, threads $threads, ${rate} requests/s; state $(state_memory)"
  if [ "$round" -eq 0 ]; then first="$rss $fds $threads"; fi
  last="$rss $fds $threads"
done
read -r rss0 fds0 threads0 <<<"$first"
read -r rss1 fds1 threads1 <<<"$last"
echo "growth after warm-up: rss $(echo "$rss1 - $rss0" | bc) MiB, fds $((fds1 - fds0)), threads $((threads1 - threads0))"
