#!/usr/bin/env bash
# Batch throughput, S3 to stored recommendations: generates N synthetic events (gen_snowplow.py),
# starts s3rver (installed by the tests into BUILD/npm/s3rver) on loopback, uploads them with
# curl (upload.sh), runs `recplat batch` in-process on a fresh data directory and prints the
# wall time and events/s.  Usage: throughput.sh [EVENTS] [BUILD_DIR]
set -euo pipefail
events="${1:-1000000}"; build="$(cd "${2:-$(dirname "$0")/../../build}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
work="$(mktemp -d /tmp/arec-bench.XXXXXX)"
python3 "$here/gen_snowplow.py" --out "$work/gen" --events "$events" --articles 3000 \
  --clients 100000 --days 7 --groups 30 --objects-per-day 8 >/dev/null
mkdir -p "$work/s3"
node --openssl-legacy-provider "$build/npm/s3rver/node_modules/s3rver/bin/s3rver.js" \
  --directory "$work/s3" --address 127.0.0.1 --port 0 >"$work/s3rver.log" 2>&1 &
s3pid=$!
trap 'kill $s3pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening" "$work/s3rver.log" && break; sleep 0.1; done
port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/s3rver.log")"
"$here/upload.sh" "http://127.0.0.1:$port" snowplow "$work/gen"
start=$(date +%s.%N)
"$build/apps/recplat/recplat" batch --profile "$root/config/article_rec.yaml" \
  --data-dir "$work/data" --set grpc.enabled=false --set metrics.enabled=false \
  --set "s3.endpoint=http://127.0.0.1:$port" --set s3.bucket=snowplow \
  --set "batch.articles_file=$work/gen/articles.jsonl" >"$work/metrics.txt" 2>"$work/progress.txt"
end=$(date +%s.%N)
grep -E "article_rec batch:|info trained" "$work/progress.txt"
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'events={sys.argv[3]} wall={s:.2f}s events_per_s={int(sys.argv[3])/s:.0f}')" "$start" "$end" "$events"
