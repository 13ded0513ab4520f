#!/usr/bin/env bash
# iALS fit time, recplat (bench/ials_fit_bench.cc; exact and conjugate-gradient solves) against
# numpy (bench/ials_numpy.py, exact, batched), in one run on the same synthetic pairs (Zipf item
# popularity, USERS users with ~30 distinct items each), one after the other, never at once.
# The objective at the end shows both solved the same problem (exact sides agree to float
# precision; CG lands close to them).
#
# Usage: bench/ials_fit_compare.sh [USERS ITEMS FACTORS EPOCHS]   (default 20000 5000 64 4)
#   BUILD_DIR (default build), PYTHON (default /usr/bin/python3, needs numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
users=${1:-20000}; items=${2:-5000}; d=${3:-64}; epochs=${4:-4}
l2=0.02; alpha0=0.15
pairs=$(mktemp)
trap 'rm -f "$pairs"' EXIT
"$PYTHON" - "$users" "$items" >"$pairs" <<'PY'
import sys
import numpy as np
users, items = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(7)
p = 1.0 / (np.arange(items) + 10.0); p /= p.sum()
for u in range(users):
    for i in np.unique(rng.choice(items, size=30, p=p)):
        print(u, i)
PY
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
     "$(date -u +%Y-%m-%dT%H:%MZ); users $users items $items d $d epochs $epochs l2 $l2 alpha0 $alpha0"
"$BUILD_DIR/bench/ials_fit_bench" "$pairs" "$d" "$epochs" "$l2" "$alpha0" 0
"$BUILD_DIR/bench/ials_fit_bench" "$pairs" "$d" "$epochs" "$l2" "$alpha0" 3
"$PYTHON" bench/ials_numpy.py "$pairs" "$d" "$epochs" "$l2" "$alpha0"
