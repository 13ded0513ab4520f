#!/usr/bin/env bash
# One command from a fresh machine to every test: installs missing Debian packages, builds
# (Release, tests and benchmarks included) and runs all tests with ctest: unit, slow (datasets
# from ../shared/datasets or $RECPLAT_DATASETS) and e2e (the real binary on 127.0.0.1:0).
#   LABELS=unit scripts/test.sh    # only one label
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest_args=(--output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900)
if [ -n "${LABELS:-}" ]; then ctest_args+=(-L "$LABELS"); fi
ctest "${ctest_args[@]}"
