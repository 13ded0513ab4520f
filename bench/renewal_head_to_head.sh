#!/usr/bin/env bash
# Interleaved head-to-head of renewal recsystems in the backend simulator (tools/renewal_sim):
# one simulator with MIND articles and simulated users, and one `recplat --profile
# config/renewal.yaml` per contender, each with its own feed cascade. Every contender is
# assigned every user; each refresh asks all of them (recommend, 2021 params) and shows the
# user one list merged by team-draft interleaving, so clicks are credited to the contender
# whose team contributed the article. Prints per contender: calls, failed, discarded, shown,
# clicks, CTR (clicks / shown) and pairwise interleaving wins / losses / ties (refreshes with
# at least one click), then one line per pair.
# Usage: bench/renewal_head_to_head.sh [build dir]
#   env: STEPS=20 USERS=50 INITIAL=300 RELEASE=5 SHOWN=10 MAX_ARTICLES=10 SEED=42
#        MODE=interleaved|separate
#        CONTENDERS="name=[cascade];name=[cascade]"  other contenders ("name=" alone: the
#            profile's own feed cascade); default: default (the profile as shipped),
#            baseline_popularity, baseline_random
#        SETS="--set key=value ..."  extra settings for every contender (e.g. extra models)
# A recsystem never returns an article twice to a user (seed-systems.md §1.3), so with the
# 2,000-article MIND sample keep STEPS * MAX_ARTICLES well below INITIAL + STEPS * RELEASE, or
# late lists fall below min_articles (5) and are discarded (counted as "discarded").
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
STEPS="${STEPS:-20}"; USERS="${USERS:-50}"; INITIAL="${INITIAL:-300}"
RELEASE="${RELEASE:-5}"; SHOWN="${SHOWN:-10}"; MAX_ARTICLES="${MAX_ARTICLES:-10}"
SEED="${SEED:-42}"; MODE="${MODE:-interleaved}"
work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
declare -A cascade=(
  [default]=""
  [baseline_popularity]="[popularity_baseline, random]"
  [baseline_random]="[random]"
)
if [ -n "${CONTENDERS:-}" ]; then
  unset cascade
  declare -A cascade
  IFS=';' read -ra parts <<< "$CONTENDERS"
  for part in "${parts[@]}"; do cascade[${part%%=*}]="${part#*=}"; done
fi
subs=()
for name in "${!cascade[@]}"; do subs+=(--sub "$name"); done
"$build/tools/renewal_sim/renewal-sim" --data ../shared/datasets/mind-small-sample \
  --users "$USERS" --initial "$INITIAL" --steps "$STEPS" --release "$RELEASE" \
  --shown "$SHOWN" --max-articles "$MAX_ARTICLES" --seed "$SEED" --mode "$MODE" \
  --wait-seconds 60 \
  "${subs[@]}" >"$work/sim.out" 2>&1 &
sim=$!
pids+=("$sim")
for _ in $(seq 1 100); do grep -q "^token" "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q "^token" "$work/sim.out" || { cat "$work/sim.out"; exit 1; }
base="$(sed -n 's/^api base uri: //p' "$work/sim.out")"
for name in "${!cascade[@]}"; do
  token="$(sed -n "s/^token $name: //p" "$work/sim.out")"
  "$build/apps/recplat/recplat" --profile config/renewal.yaml --data-dir "$work/$name" \
    --token "$token" --api-base-uri "$base" --set logging.level=warn \
    --set grpc.listen=127.0.0.1:0 --set http.listen=127.0.0.1:0 --set metrics.listen=127.0.0.1:0 \
    ${cascade[$name]:+--set "surfaces.feed.retrieval=${cascade[$name]}"} ${SETS:-} \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
done
status=0
wait "$sim" || status=$?
grep -E "^(loaded|[a-z_]+: calls|pair )" "$work/sim.out" || true
if [ "$status" -ne 0 ]; then
  echo "renewal-sim failed ($status):" >&2
  grep -vE "^token" "$work/sim.out" >&2 || true
  exit "$status"
fi
