#!/usr/bin/env bash
# Recommend latency with log.backend rocksdb and with log.backend jetstream, one after the other
# in one run (issue 12: reads stay local, so the JetStream log must not slow Recommend down).
# Starts a throw-away single-node nats-server (JetStream on, loopback, a free port, a temp store)
# for the jetstream run and stops it at the end.
#
#   bench/recommend_backends.sh [recommend_load flags...]
#   e.g. bench/recommend_backends.sh --items 20000 --users 5000 --events 100000 --clients 4 --seconds 5
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bench/recommend_load
[ -x "$bin" ] || { echo "build $bin first (scripts/build.sh recommend_load)" >&2; exit 2; }
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || { echo "no nats-server" >&2; exit 2; }
nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
store=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$nats_bin" -js -a 127.0.0.1 -p "$port" --store_dir "$store" >"$store/nats.log" 2>&1 &
nats_pid=$!
trap 'kill $nats_pid 2>/dev/null; wait $nats_pid 2>/dev/null; rm -rf "$store"' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
# Alternating runs (REPEAT pairs, default 2), so that load from other processes on the machine
# falls on both backends alike; the ratios are per pair.
for i in $(seq "${REPEAT:-2}"); do
  echo "== pair $i: log.backend rocksdb"
  "$bin" "$@" >"$store/rocks.txt"
  cat "$store/rocks.txt"
  echo "== pair $i: log.backend jetstream (nats-server on 127.0.0.1:$port)"
  "$bin" "$@" --nats "nats://127.0.0.1:$port" >"$store/js.txt"
  cat "$store/js.txt"
  python3 - "$(tail -1 "$store/rocks.txt")" "$(tail -1 "$store/js.txt")" <<'PY'
import json, sys
r, j = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for k in ("rps", "p50_us", "p90_us", "p99_us", "p999_us"):
    print(f"{k:8s} rocksdb {r[k]:>9.0f}  jetstream {j[k]:>9.0f}  jetstream/rocksdb {j[k] / r[k]:.3f}")
PY
done
