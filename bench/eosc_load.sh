#!/usr/bin/env bash
# Benchmark of the eosc profile (docs/eosc.md, "Figures"): one recplat (role all) on loopback.
#   1. POST /update with a synthetic dump of SERVICES services and USERS users
#      (bench/eosc_dump.py: real catalogue vocabularies, users with hidden preferences): the
#      time until the import is visible, then until NCF is trained (its training statistics);
#   2. POST /recommendations under wrk (logged-in users cycling over the dump's users, panel v1,
#      no filters: every service is a candidate), latency percentiles;
#   3. POST /user_actions under wrk (2024 payloads naming services), throughput.
# Usage: bench/eosc_load.sh [build dir]
#   env: SERVICES=10000 USERS=50000 EPOCHS=10 DURATION=20s CONNECTIONS=8 THREADS=2
#        ROUTES="rec action"
#   CONNECTIONS may be a list ("1 2 8"): each route is measured at each (wrk threads = the
#   smaller of THREADS and the connections); ROUTES=rec measures only /recommendations.
#   Each line also gives the server's CPU time per request (utime + stime of the process over
#   the run / requests), which a loaded machine disturbs far less than the latencies.
# Prints one line per measurement; record figures in docs/eosc.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
bin="$build/apps/recplat/recplat"
SERVICES="${SERVICES:-10000}"
USERS="${USERS:-50000}"
EPOCHS="${EPOCHS:-10}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-8}"
THREADS="${THREADS:-2}"
ROUTES="${ROUTES:-rec action}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

work="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 bench/eosc_dump.py "$SERVICES" "$USERS" "$work/dump.json"
"$bin" --profile config/eosc.yaml --data-dir "$work/data" --set log.sync=none \
  --set logging.level=warn --set grpc.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 \
  --set http.listen=127.0.0.1:0 --set "models.NCF.params.epochs=$EPOCHS" \
  --set models.NCF.train.on_start=false --ports-file "$work/ports" 2>"$work/log" &
pid=$!
for _ in $(seq 1 300); do [ -s "$work/ports" ] && break; sleep 0.1; done
http="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$work/ports")"

now() { date +%s.%N; }
health() { curl -s "http://$http/health"; }
t0=$(now)
curl -s -o /dev/null -w '%{http_code}' -XPOST -H 'content-type: application/json' \
  --data-binary @"$work/dump.json" "http://$http/update" | grep -q 204
t1=$(now)
until health | python3 -c 'import json,sys; h=json.load(sys.stdin); sys.exit(h["database"]["service_table"]["status"]!="UP")'; do sleep 0.2; done
t2=$(now)
until health | python3 -c 'import json,sys; h=json.load(sys.stdin); sys.exit(h["recommender_engines"]["NCF"]["status"]!="UP")'; do
  sleep 1
  kill -0 "$pid" || { cat "$work/log"; exit 1; }
done
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" "$SERVICES" "$USERS" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
print(f"update {sys.argv[5]} services / {sys.argv[6]} users: 204 after {t1 - t0:.2f} s, "
      f"imported after {t2 - t0:.1f} s, NCF trained after {t3 - t0:.1f} s")
PY
curl -s "http://$http/v1/models?model=NCF" | python3 -c '
import json, sys
for v in json.load(sys.stdin).get("versions", []):
    if v.get("status") == "MODEL_STATUS_CURRENT":
        t = v.get("training", {})
        print("NCF training:", round(t.get("duration_seconds", 0), 1), "s,",
              {k: round(x, 3) for k, x in v.get("metrics", {}).items()})' || true

cat >"$work/rec.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/recommendations", nil, string.format(
    '{"user_id": %d, "unique_id": "u%d", "timestamp": "2024-01-01T00:00:00Z", "visit_id": "v", "page_id": "p", "panel_id": "v1", "search_data": {}, "client_id": "marketplace"}',
    1 + n % $USERS, n))
end
LUA
cat >"$work/action.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/user_actions", nil, string.format(
    '{"user_id": %d, "unique_id": "u%d", "timestamp": "2024-01-01T00:00:00Z", "client_id": "marketplace", "source": {"visit_id": "s%d", "page_id": "/services", "root": {"type": "recommendation_panel", "panel_id": "v1", "resource_type": "service", "resource_id": %d}}, "target": {"visit_id": "t%d", "page_id": "/services/%d"}, "action": {"type": "button", "text": "Details", "order": false}}',
    1 + n % $USERS, n, n, 1 + n % $SERVICES, n, 1 + n % $SERVICES))
end
LUA
for route in $ROUTES; do
for connections in $CONNECTIONS; do
  threads=$((THREADS < connections ? THREADS : connections))
  cpu0="$(cut -d' ' -f14,15 "/proc/$pid/stat")"
  out="$(wrk -t"$threads" -c"$connections" -d"$DURATION" --latency -s "$work/$route.lua" "http://$http")"
  cpu1="$(cut -d' ' -f14,15 "/proc/$pid/stat")"
  echo "$out" | python3 -c '
import os, re, sys
text = sys.stdin.read()
ticks = sum(map(int, sys.argv[4].split())) - sum(map(int, sys.argv[3].split()))
done = int(re.search(r"(\d+) requests in", text).group(1))
cpu = 1000.0 * ticks / os.sysconf("SC_CLK_TCK") / max(done, 1)
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
lat = dict(re.findall(r"\s+(50|90|99)%\s+(\S+)", text))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(sys.argv[1], "connections", sys.argv[2], "req/s", rps, "p50", lat.get("50"), "p90", lat.get("90"), "p99", lat.get("99"),
      "non-2xx", errors.group(1) if errors else 0, "server CPU ms/req", round(cpu, 2))' \
    "$route" "$connections" "$cpu0" "$cpu1"
done
done
