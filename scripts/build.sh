#!/usr/bin/env bash
# Configures and builds recplat (Release by default) into ./build.
#   BUILD_TYPE=Debug scripts/build.sh      # other build type
#   BUILD_DIR=out scripts/build.sh         # other directory
#   scripts/build.sh recplat               # only some targets
#   SANITIZE=address,undefined scripts/build.sh   # sanitized build (default dir build-asan)
#   SANITIZE=thread scripts/build.sh              # (default dir build-tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize="${SANITIZE:-}"
case "$sanitize" in
  "") default_dir=build ;;
  thread) default_dir=build-tsan ;;
  address|undefined|address,undefined|undefined,address) default_dir=build-asan ;;
  *) echo "build.sh: SANITIZE must be address,undefined or thread, got '$sanitize'" >&2; exit 2 ;;
esac
build_dir="${BUILD_DIR:-$default_dir}"
# Sanitized builds keep optimisation (the tests must stay fast) with debug info for reports.
build_type="${BUILD_TYPE:-$([ -n "$sanitize" ] && echo RelWithDebInfo || echo Release)}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DRECPLAT_SANITIZE="$sanitize" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$jobs" ${1:+--target "$@"}
