#!/usr/bin/env bash
# One command from a fresh machine to every test: installs missing Debian packages, builds
# (Release, tests and benchmarks included) and runs all tests with ctest: unit, slow (datasets
# from ../shared/datasets or $RECPLAT_DATASETS) and e2e (the real binary on 127.0.0.1:0).
#   LABELS=unit scripts/test.sh    # only one label
#   SANITIZE=address,undefined scripts/test.sh   # everything under ASan + UBSan (build-asan)
#   SANITIZE=thread scripts/test.sh              # everything under TSan (build-tsan)
#   TARGETS="state_test engine_test" scripts/test.sh   # build only these test binaries and run
#                                                       # their tests (what CI's sanitizer step does)
#   LABELS=image scripts/test.sh   # only the container image test (tests/deploy/image_test.sh,
#                                  # podman, a few minutes); other runs leave it out, unless
#   WITH_IMAGE=1 scripts/test.sh   # everything and the image test
set -euo pipefail
cd "$(dirname "$0")/.."
with_image="${WITH_IMAGE:-0}"
if [[ "${LABELS:-}" == *image* ]]; then with_image=1; fi
if [ "$with_image" = 1 ]; then scripts/install-deps.sh --with-image; else scripts/install-deps.sh; fi
scripts/build.sh ${TARGETS:-}
case "${SANITIZE:-}" in
  "") build_dir="${BUILD_DIR:-build}" ;;
  thread) build_dir="${BUILD_DIR:-build-tsan}" ;;
  *) build_dir="${BUILD_DIR:-build-asan}" ;;
esac
# Any finding fails its test (and the run); reports go to the test's output.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Debian's Abseil, gRPC, RocksDB and LibTorch are not built with TSan: accesses their code makes
# through interceptors (memcpy, memcmp, write) are not checked, since the synchronisation around
# them is invisible to TSan; the project's own code is (cmake/tsan_absl_sync.cc makes Abseil's
# mutexes visible, cmake/tsan_grpc_sync.cc gRPC's tag hand-off between completion-queue threads).
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1}"
cd "$build_dir"
ctest_args=(--output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900)
if [ -n "${LABELS:-}" ]; then ctest_args+=(-L "$LABELS"); fi
# With TARGETS, only the tests of the binaries built (an unbuilt one is listed as <name>_NOT_BUILT)
# and no script tests. The image test only when asked for (LABELS=image or WITH_IMAGE=1).
exclude=()
if [ -n "${TARGETS:-}" ]; then ctest_args+=(-E '_NOT_BUILT$'); exclude+=(script); fi
if [ "$with_image" != 1 ]; then exclude+=(image); fi
if [ ${#exclude[@]} -gt 0 ]; then ctest_args+=(-LE "$(IFS='|'; echo "${exclude[*]}")"); fi
ctest "${ctest_args[@]}"
