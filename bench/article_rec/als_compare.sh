#!/usr/bin/env bash
# Implicit-ALS fit time and agreement, recplat (als_fit_bench: Cholesky and CG solvers) against
# numpy (als_numpy.py: the job's exact solve), in one run on the same matrix and initial factors.
# Usage: bench/article_rec/als_compare.sh [rows] [cols] [nnz_per_row] [threads]
#   BUILD_DIR (default build), PYTHON (an interpreter with numpy; default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ)"
"$BUILD_DIR/bench/als_fit_bench" "$work" "$@"
"$PYTHON" bench/article_rec/als_numpy.py "$work"
