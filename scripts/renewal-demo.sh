#!/usr/bin/env bash
# The renewal profile with no external service: starts the Renewal backend simulator
# (tools/renewal_sim, MIND articles and simulated users) and one recplat recsystem connected to
# it, runs STEPS simulated rounds (one refresh per user each) and prints its calls, clicks and
# CTR. Used by `scripts/run.sh renewal-demo`; expects recplat and renewal-sim built in ./build.
#   STEPS=20 USERS=50 STEP_INTERVAL_MS=0 scripts/renewal-demo.sh
# STEP_INTERVAL_MS > 0 paces the steps in real time (e.g. 1000 to watch the recsystem's logs).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${STEPS:-20}"; USERS="${USERS:-50}"; STEP_INTERVAL_MS="${STEP_INTERVAL_MS:-0}"
work="$(mktemp -d)"
trap 'kill "${rec:-0}" "${sim:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
build/tools/renewal_sim/renewal-sim --data ../shared/datasets/mind-small-sample \
  --users "$USERS" --initial 1000 --steps "$STEPS" --release 20 --max-articles 10 \
  --wait-seconds 60 \
  --step-interval-ms "$STEP_INTERVAL_MS" --sub recplat-demo >"$work/sim.out" 2>&1 &
sim=$!
for _ in $(seq 1 200); do grep -q "^token" "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q "^token" "$work/sim.out" || { cat "$work/sim.out"; exit 1; }
base="$(sed -n 's/^api base uri: //p' "$work/sim.out")"
token="$(sed -n 's/^token recplat-demo: //p' "$work/sim.out")"
echo "simulator at $base; starting the recsystem (profile config/renewal.yaml)"
build/apps/recplat/recplat --profile config/renewal.yaml --data-dir "$work/data" \
  --token "$token" --api-base-uri "$base" --set logging.level=warn \
  --set grpc.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 &
rec=$!
wait "$sim" || true
grep -vE "^token" "$work/sim.out"
