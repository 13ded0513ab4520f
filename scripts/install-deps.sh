#!/usr/bin/env bash
# Installs every Debian package recplat's build and tests need. Idempotent: packages already
# present are skipped, so a second run does nothing and needs no network.
#
# Usage: scripts/install-deps.sh [--with-bench] [--with-image] [--build-only]
#   LibTorch (CPU, Debian's libtorch-dev) is always installed: the default build has
#   RECPLAT_ENABLE_TORCH=ON (the gru4rec family). `--with-torch` is still accepted and does
#   nothing more.
#   `prometheus` provides promtool (rule checks and tests) and the server the live-Prometheus
#   e2e test starts.
#   --with-bench  also install the load generators used under bench/ (wrk) and the numpy
#                 and scipy references of bench/ease_fit_compare.sh (python3-numpy,
#                 python3-scipy).
#   --with-image  also install what scripts/build-image.sh and the container image test
#                 (ctest -L image) need: podman with runc, debootstrap and its keyring.
#   --build-only  only what building the recplat binary needs (configured with
#                 -DRECPLAT_BUILD_TESTS=OFF -DRECPLAT_BUILD_BENCHMARKS=OFF): the container
#                 image's builder stage (deploy/Dockerfile) runs this.
set -euo pipefail

# Building the recplat binary (and the LibTorch module).
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libabsl-dev
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libeigen3-dev
  libopenblas-dev liblapacke-dev
  libyaml-cpp-dev
  prometheus-cpp-dev
  nlohmann-json3-dev
  libcli11-dev
  libboost-dev libboost-system-dev
  libssl-dev libcurl4-openssl-dev libexpat1-dev zlib1g-dev
  libtorch-dev
  # The JetStream event log (log.backend: jetstream): the NATS C client.
  libnats-dev
)
# The tests and benchmarks.
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 curl
  # The Helm chart's test (tests/deploy): Go + sprig render the chart, node + npm check it.
  golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev
  # promtool for the alert rules' tests, prometheus for the live dashboard-query test.
  prometheus
  # The JetStream tests start their own nats-server cluster on loopback.
  nats-server
  # The STOMP databus tests start their own RabbitMQ (with its STOMP plugin) on loopback.
  rabbitmq-server
)
# npm only when no npm is on PATH: a nodejs from outside Debian (e.g. NodeSource's) ships its
# own npm and conflicts with Debian's package, which would remove it.
if ! command -v npm >/dev/null 2>&1; then test_packages+=(npm); fi

build_only=0
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    --with-torch) ;;  # LibTorch is in the default list now.
    --with-bench) test_packages+=(wrk python3-numpy python3-scipy) ;;
    --with-image) test_packages+=(podman runc debootstrap debian-archive-keyring) ;;
    *) echo "install-deps.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
if [ "$build_only" -eq 0 ]; then packages+=("${test_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
