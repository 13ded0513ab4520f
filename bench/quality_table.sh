#!/usr/bin/env bash
# The per-dataset quality table of docs/models.md ("Tuned on train only"): for every family,
# `recplat tune` on the training file alone (seeded holdouts, never the test file), then one
# `recplat eval` on the test file with the chosen params, under /usr/bin/time for peak RSS.
#
#   bench/quality_table.sh TRAIN TEST [FAMILY ...]
#   RECPLAT=build/apps/recplat/recplat FOLDS=3 SEED=42 bench/quality_table.sh \
#       ../shared/datasets/ml-100k/u1.base ../shared/datasets/ml-100k/u1.test
#
# Prints, per family, the tune command's last line, the eval JSON, and a markdown table row:
#   | family | best params | validation NDCG@20 | NDCG@20 | Recall@20 | fit s | peak RSS MB | tune s |
set -euo pipefail
train="$1"; test="$2"; shift 2
families=("$@")
[ ${#families[@]} -eq 0 ] && families=(popularity item_knn rp3beta ease edlae dlae ials)
recplat="${RECPLAT:-build/apps/recplat/recplat}"
folds="${FOLDS:-3}"
seed="${SEED:-42}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for f in "${families[@]}"; do
  start=$(date +%s.%N)
  "$recplat" tune --train "$train" --model "$f" --folds "$folds" --seed "$seed" \
      >"$tmp/tune.jsonl" 2>"$tmp/tune.err"
  tune_s=$(echo "$(date +%s.%N) - $start" | bc)
  best=$(tail -1 "$tmp/tune.jsonl")
  params=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["best_params"]))' "$best")
  /usr/bin/time -f "%M" -o "$tmp/rss" "$recplat" eval --train "$train" --test "$test" \
      --model "$f" --params "$params" >"$tmp/eval.json"
  echo "# recplat tune --train $train --model $f --folds $folds --seed $seed"
  echo "$best"
  echo "# recplat eval --train $train --test $test --model $f --params '$params'"
  cat "$tmp/eval.json"
  python3 - "$best" "$(cat "$tmp/eval.json")" "$(cat "$tmp/rss")" "$tune_s" <<'PY'
import json, sys
best, ev, rss_kb, tune_s = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
params = ", ".join(f"{k}={v}" for k, v in best["best_params"].items()) or "(defaults)"
print(f"| `{ev['model']}` | {params} | {best['validation_ndcg']:.4f} | {ev['ndcg']:.4f} | "
      f"{ev['recall']:.4f} | {ev['fit_seconds']:.2f} | {rss_kb / 1024:.0f} | {tune_s:.0f} |")
PY
done
