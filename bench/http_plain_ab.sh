#!/usr/bin/env bash
# Plain-HTTP cost of two recplat binaries, interleaved (issue 13: access control and TLS must
# not slow the plaintext path): GET /healthz and GET /v1/items/{id} with wrk (2 threads, 16
# connections, 8 s each, after a 2 s warm-up), ROUNDS times each, and the second binary again
# with an API key configured and sent (the cost of the key check). Prints requests/s and the
# server's CPU time per request (utime + stime from /proc), which varies less than throughput
# on a shared machine.
#   bench/http_plain_ab.sh OLD_BIN NEW_BIN     (wrk from scripts/install-deps.sh --with-bench)
set -euo pipefail
old="$1" new="$2"
rounds="${ROUNDS:-3}"
src="$(cd "$(dirname "$0")/.." && pwd)"
port="${PORT:-18555}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
key="bench-key-0123456789abcdefghijkl"
echo "$key" >"$work/keys"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$key" >"$work/keyed.lua"

run() {  # run <binary> <label> [recplat flags...]
  local bin="$1" label="$2"; shift 2
  rm -rf "$work/data"
  "$bin" --profile "$src/config/default.yaml" --data-dir "$work/data" --set log.sync=none \
    --set logging.level=warn --set "http.listen=127.0.0.1:$port" --set grpc.listen=127.0.0.1:0 \
    --set metrics.listen=127.0.0.1:0 --set training.enabled=false "$@" >"$work/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf -H "Authorization: Bearer $key" -XPOST "127.0.0.1:$port/v1/items" \
    -d '{"items":[{"id":"a"}]}' >/dev/null
  local line="$label:" path
  for path in /healthz /v1/items/a; do
    wrk -t1 -c4 -d2s -s "$work/keyed.lua" "http://127.0.0.1:$port$path" >/dev/null
    local c0 c1 out reqs
    c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(wrk -t2 -c16 -d8s -s "$work/keyed.lua" "http://127.0.0.1:$port$path")
    c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    reqs=$(awk '/requests in/{print $1}' <<<"$out")
    line+=$(awk -v r="$reqs" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v p="$path" \
      'BEGIN{printf " %s %.0f req/s %.2f us CPU/req;", p, r / 8, c / hz * 1e6 / r}')
  done
  echo "$line"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for _ in $(seq "$rounds"); do
  run "$old" old
  run "$new" new
  run "$new" "new, API key" --set "auth.api_key_file=$work/keys"
done
