#!/usr/bin/env bash
# Head-to-head of renewal recsystems in the backend simulator (tools/renewal_sim): one simulator
# with MIND articles and simulated users, and one `recplat --profile config/renewal.yaml` per
# contender, each with its own feed cascade. Prints clicks and CTR per contender.
# Usage: bench/renewal_head_to_head.sh [build dir]   (env: STEPS=20 USERS=50 INITIAL=300)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
STEPS="${STEPS:-20}"; USERS="${USERS:-50}"; INITIAL="${INITIAL:-300}"
work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
declare -A cascade=(
  [default]="[item_knn, popularity, recent, random]"
  [baseline_popularity]="[popularity_baseline, random]"
  [baseline_random]="[random]"
)
subs=()
for name in "${!cascade[@]}"; do subs+=(--sub "$name"); done
"$build/tools/renewal_sim/renewal-sim" --data ../shared/datasets/mind-small-sample \
  --users "$USERS" --initial "$INITIAL" --steps "$STEPS" --release 5 --wait-seconds 60 \
  "${subs[@]}" >"$work/sim.out" 2>&1 &
sim=$!
for _ in $(seq 1 100); do grep -q "^token" "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
base="$(sed -n 's/^api base uri: //p' "$work/sim.out")"
for name in "${!cascade[@]}"; do
  token="$(sed -n "s/^token $name: //p" "$work/sim.out")"
  "$build/apps/recplat/recplat" --profile config/renewal.yaml --data-dir "$work/$name" \
    --token "$token" --api-base-uri "$base" --set logging.level=warn \
    --set grpc.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 \
    --set "surfaces.feed.retrieval=${cascade[$name]}" >"$work/$name.log" 2>&1 &
  pids+=($!)
done
wait "$sim" || true
grep -E "^(loaded|[a-z_]+: calls)" "$work/sim.out"
