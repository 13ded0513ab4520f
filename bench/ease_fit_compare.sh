#!/usr/bin/env bash
# EASE fit time, recplat (bench/ease_fit_bench.cc) against numpy (bench/ease_numpy.py), in one
# run on the same synthetic matrices (users = 5n, ~40 items each, binary, λ = 500, float32).
# For every n the C++ fit runs first, then the numpy one, never both at once, each in its own
# process so that its peak RSS (getrusage ru_maxrss) belongs to that n alone.
#
# Usage: bench/ease_fit_compare.sh [n ...]        (default 1000 5000 20000)
#   An n written as "35000:cpp" runs the C++ side only (numpy's 3 n² floats and 8n³/3 flops
#   can be out of reach for the largest n on a small machine); its ratio columns stay empty.
#   BUILD_DIR  build tree holding bench/ease_fit_bench (default: build)
#   PYTHON     interpreter with numpy (default: /usr/bin/python3; scripts/install-deps.sh
#              --with-bench installs Debian's python3-numpy)
#   EASE_BENCH_L2, EASE_BENCH_SEED are passed to both sides.
#   EASE_NUMPY_SOLVER=cholesky32  the reference inverts with scipy's float32 spotrf + spotri in
#              place (recplat's algorithm and precision, ~4 n² bytes, so 35000 fits in 23 GB)
#              instead of np.linalg.inv (float64 gesv, ~32 n² bytes; the default, inv64).
#
# Prints each side's BLAS, then one table row per n: phase seconds, the ratio of total fit
# times (C++ / numpy, < 1 means recplat is faster), GFLOP/s of each inversion counted with its
# own algorithm (C++ and cholesky32 spotrf + spotri: n³ flops; numpy inv = gesv: 8n³/3), the relative
# difference of Σ|B| between the two (same X, so it should be ~1e-6) and each side's peak RSS
# with its ratio (C++ / numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
bin="$BUILD_DIR/bench/ease_fit_bench"
if [ ! -x "$bin" ]; then
  echo "ease_fit_compare: $bin not found (ninja -C $BUILD_DIR ease_fit_bench)" >&2
  exit 2
fi
if [ "${EASE_NUMPY_SOLVER:-inv64}" = cholesky32 ] && ! "$PYTHON" -c 'import scipy' 2>/dev/null; then
  echo "ease_fit_compare: $PYTHON has no scipy (scripts/install-deps.sh --with-bench)" >&2
  exit 2
fi
if ! "$PYTHON" -c 'import numpy' 2>/dev/null; then
  echo "ease_fit_compare: $PYTHON has no numpy (scripts/install-deps.sh --with-bench)" >&2
  exit 2
fi
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(1000 5000 20000); fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(free -g | awk '/^Mem/ {print $2}') GiB; $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in "${sizes[@]}"; do
  n=${spec%%:*}
  "$bin" "$n" >>"$out"
  if [ "$spec" = "$n" ]; then
    "$PYTHON" bench/ease_numpy.py "$n" >>"$out"
  fi
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep '^#' "$out" | sort -u
awk '
  /^impl=/ {
    delete f
    for (i = 1; i <= NF; ++i) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["impl"] SUBSEP f["n"]
    if (!(f["n"] in seen)) { seen[f["n"]] = 1; order[++count] = f["n"] }
    for (k in f) v[key, k] = f[k]
  }
  END {
    printf "%6s %8s | %-29s | %-29s | %6s %6s | %-13s | %8s | %-15s %5s\n", "n", "nnz",
           "C++ gram/inv/B/total s", "numpy gram/inv/B/total s", "total", "inv",
           "inv GFLOP/s", "dSum|B|", "peak RSS MB", "RSS"
    printf "%6s %8s | %-29s | %-29s | %6s %6s | %-13s | %8s | %-15s %5s\n", "", "", "", "", "C++/np",
           "C++/np", "C++ / numpy", "rel", "C++ / numpy", "C++/np"
    for (r = 1; r <= count; ++r) {
      n = order[r]; c = "cpp" SUBSEP n; p = "numpy" SUBSEP n
      if (!((p, "total_s") in v)) {  # C++ only.
        fmt = "%6d %8d | %6.3f %7.3f %6.3f %7.3f | %-29s | %6s %6s | %5.0f / %5s | %8s | %6.0f / %6s %5s\n"
        printf fmt, n, v[c, "nnz"], v[c, "gram_s"], v[c, "invert_s"], v[c, "weights_s"],
          v[c, "total_s"], "(not run)", "", "", v[c, "invert_gflops"], "", "", v[c, "peak_rss_mb"], "", ""
        continue
      }
      fmt = "%6d %8d | %6.3f %7.3f %6.3f %7.3f | %6.3f %7.3f %6.3f %7.3f | %6.2f %6.2f"
      printf fmt " | %5.0f / %5.0f | %8.1e | %6.0f / %6.0f %5.2f\n", n, v[c, "nnz"],
        v[c, "gram_s"], v[c, "invert_s"], v[c, "weights_s"], v[c, "total_s"],
        v[p, "gram_s"], v[p, "invert_s"], v[p, "weights_s"], v[p, "total_s"],
        v[c, "total_s"] / v[p, "total_s"], v[c, "invert_s"] / v[p, "invert_s"],
        v[c, "invert_gflops"], v[p, "invert_gflops"],
        (v[c, "b_abs_sum"] - v[p, "b_abs_sum"]) / v[p, "b_abs_sum"],
        v[c, "peak_rss_mb"], v[p, "peak_rss_mb"], v[c, "peak_rss_mb"] / v[p, "peak_rss_mb"]
    }
  }' "$out"
