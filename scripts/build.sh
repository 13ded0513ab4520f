#!/usr/bin/env bash
# Configures and builds recplat (Release by default) into ./build.
#   BUILD_TYPE=Debug scripts/build.sh      # other build type
#   BUILD_DIR=out scripts/build.sh         # other directory
#   scripts/build.sh recplat               # only some targets
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
build_type="${BUILD_TYPE:-Release}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$jobs" ${1:+--target "$@"}
