#!/usr/bin/env bash
# One command from a fresh machine to a running recplat on the embedded default profile:
# installs missing Debian packages, builds, and serves config/default.yaml (gRPC on
# 127.0.0.1:50051, HTTP on 127.0.0.1:8080, metrics on 127.0.0.1:9464) until Ctrl-C. Extra
# arguments go to recplat, e.g. scripts/run.sh --profile config/other.yaml --set grpc.listen=127.0.0.1:0
# `scripts/run.sh renewal-demo` instead runs the renewal profile against the bundled Renewal
# backend simulator and prints its clicks and CTR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${1:-}" = "renewal-demo" ]; then
  # The renewal profile against the bundled backend simulator (no external service).
  scripts/build.sh recplat renewal_sim_main
  exec scripts/renewal-demo.sh
fi
scripts/build.sh recplat
args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(--profile config/default.yaml); fi
exec build/apps/recplat/recplat "${args[@]}"
