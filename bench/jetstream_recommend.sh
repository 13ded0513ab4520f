#!/usr/bin/env bash
# Recommend latency of core replicas on the NATS JetStream log against the same server on its
# local RocksDB log, in one run (issue 12: "reads stay local: no regression").
#
# Starts a 3-node JetStream cluster (nats-server on loopback), one recplat on the RocksDB log
# ("rocksdb") and two replicas of one stream ("js-writer", which the data is written through,
# and "js-copy", which only copies the stream), all with config/default.yaml. Loads the same
# catalogue and events into both logs, waits until each has trained popularity and item_knn
# and the copy has caught up, then drives POST /v1/recommend (random known users, k 10) with
# wrk against each server in turn, ROUNDS times, interleaved, and prints req/s, p50 and p99 of
# each and the ratios against the RocksDB server.
#
# Usage: bench/jetstream_recommend.sh [build dir]
#   env: DURATION=20 (seconds per run) ROUNDS=2 CONNECTIONS=4 THREADS=1
#        ITEMS=20000 USERS=20000 EVENTS=200000
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
bin="$build/apps/recplat/recplat"
DURATION="${DURATION:-20}"
ROUNDS="${ROUNDS:-2}"
CONNECTIONS="${CONNECTIONS:-4}"
THREADS="${THREADS:-1}"
ITEMS="${ITEMS:-20000}"
USERS="${USERS:-20000}"
EVENTS="${EVENTS:-200000}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
for tool in nats-server wrk curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found: scripts/install-deps.sh --with-bench" >&2; exit 1; }
done
source bench/lib.sh

free_ports() {  # free_ports N: N distinct free loopback ports
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

read -r -a client_ports <<<"$(free_ports 3)"
read -r -a route_ports <<<"$(free_ports 3)"
routes="nats://127.0.0.1:${route_ports[0]},nats://127.0.0.1:${route_ports[1]},nats://127.0.0.1:${route_ports[2]}"
servers="nats://127.0.0.1:${client_ports[0]},nats://127.0.0.1:${client_ports[1]},nats://127.0.0.1:${client_ports[2]}"
for i in 0 1 2; do
  nats-server -js -a 127.0.0.1 -p "${client_ports[$i]}" -n "bench-$i" --cluster_name bench \
    --cluster "nats://127.0.0.1:${route_ports[$i]}" --routes "$routes" \
    -sd "$work/nats-$i" >"$work/nats-$i.log" 2>&1 &
  pids+=($!)
done

declare -A http metrics
start() {  # start <name> [--set ...]: a recplat on config/default.yaml
  local name="$1"
  shift
  "$bin" --profile config/default.yaml --data-dir "$work/$name" "$@" \
    --set log.sync=none --set logging.level=warn --set grpc.listen=127.0.0.1:0 \
    --set metrics.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 \
    --ports-file "$work/$name.ports" 2>"$work/$name.log" &
  pids+=($!)
  http[$name]="$(port_of "$work/$name.ports" http)"
  metrics[$name]="$(port_of "$work/$name.ports" metrics)"
}
jetstream=(--set log.backend=jetstream --set "nats.servers=[$servers]" --set nats.stream=bench)
start rocksdb
start js-writer "${jetstream[@]}"
start js-copy "${jetstream[@]}"

# The same catalogue and events, in batches of 1,000, into the RocksDB server and the writer.
python3 - "$work" "$ITEMS" "$USERS" "$EVENTS" <<'PY'
import json, random, sys
work, items, users, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(5)
n = 0
for c in range(0, items, 1000):
    json.dump({"items": [{"id": f"i{i}", "categories": [f"c{i % 40}"]}
                         for i in range(c, min(items, c + 1000))]},
              open(f"{work}/items-{n:04d}.json", "w"))
    n += 1
# Users favour a band of items (so item_knn has structure); popular items are skewed.
n = 0
for c in range(0, events, 1000):
    batch = []
    for _ in range(min(1000, events - c)):
        u = random.randrange(users)
        band = (u * 37) % items
        i = (band + int(random.paretovariate(1.2))) % items
        batch.append({"user_id": f"u{u}", "item_id": f"i{i}",
                      "type": random.choice(["view", "view", "view", "click", "cart"])})
    json.dump({"events": batch}, open(f"{work}/events-{n:04d}.json", "w"))
    n += 1
PY
for server in rocksdb js-writer; do
  for f in "$work"/items-*.json; do
    curl -sf -o /dev/null -XPOST -H 'content-type: application/json' --data-binary "@$f" \
      "http://${http[$server]}/v1/items" || { echo "$server: items failed" >&2; cat "$work/$server.log" >&2; exit 1; }
  done
  for f in "$work"/events-*.json; do
    curl -sf -o /dev/null -XPOST -H 'content-type: application/json' --data-binary "@$f" \
      "http://${http[$server]}/v1/events" || { echo "$server: events failed" >&2; cat "$work/$server.log" >&2; exit 1; }
  done
done

# Every server trains its models on the same data (the copy from the stream).
for _ in $(seq 1 600); do
  a="$(curl -sf "http://${metrics[js-copy]}/metrics" | awk '/^recplat_log_stream_lag / {print int($2)}')"
  [ "${a:-1}" = 0 ] && curl -sf -o /dev/null "http://${http[js-copy]}/readyz" && break
  sleep 0.5
done
for server in rocksdb js-writer js-copy; do
  for model in popularity item_knn; do
    curl -sf -o /dev/null -XPOST -H 'content-type: application/json' \
      --data "{\"model\": \"$model\", \"wait\": true}" "http://${http[$server]}/v1/models/train" ||
      { echo "$server: training $model failed" >&2; cat "$work/$server.log" >&2; exit 1; }
  done
done

cat >"$work/recommend.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
request = function()
  return wrk.format(nil, "/v1/recommend", nil,
    string.format('{"user_id":"u%d","k":10}', math.random(0, $USERS - 1)))
end
LUA

to_ms() {  # wrk latency ("812.00us", "1.23ms", "1.02s") -> ms
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}
declare -A rps p50 p99
echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds x ${DURATION}s, $CONNECTIONS connections"
for round in $(seq 1 "$ROUNDS"); do
  for server in rocksdb js-writer js-copy; do
    out="$work/wrk-$server-$round.out"
    wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$work/recommend.lua" \
      "http://${http[$server]}" >"$out"
    if grep -q "Non-2xx" "$out"; then echo "$server: $(grep Non-2xx "$out")" >&2; fi
    r="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    l50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
    l99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
    echo "round $round $server: $r req/s, p50 $l50 ms, p99 $l99 ms"
    rps[$server]="$(awk -v a="${rps[$server]:-0}" -v b="$r" 'BEGIN {print a + b}')"
    p50[$server]="$(awk -v a="${p50[$server]:-0}" -v b="$l50" 'BEGIN {print a + b}')"
    p99[$server]="$(awk -v a="${p99[$server]:-0}" -v b="$l99" 'BEGIN {print a + b}')"
  done
done
for server in js-writer js-copy; do
  awk -v s="$server" -v r="${rps[$server]}" -v r0="${rps[rocksdb]}" -v a="${p50[$server]}" \
    -v a0="${p50[rocksdb]}" -v b="${p99[$server]}" -v b0="${p99[rocksdb]}" 'BEGIN {
    printf "%s / rocksdb (mean of rounds): req/s %.2fx, p50 %.2fx, p99 %.2fx\n", s, r / r0, a / a0, b / b0 }'
done
