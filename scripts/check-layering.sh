#!/usr/bin/env bash
# Fails when a CMake target skips a layer (see ARCHITECTURE.md, "Conventions"):
#  - only core/log and core/state link RocksDB;
#  - only core/grpc (the gRPC adapter), tests and benchmarks link gRPC or the gRPC stubs;
#  - only trainers/torch_* link LibTorch;
#  - frontends/* reach the core through recplat::service only (never the state, log, engine,
#    registry, models or RocksDB).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # check <pattern> <allowed path regex> <message>
  local pattern="$1" allowed="$2" message="$3"
  while IFS= read -r file; do
    if ! [[ "$file" =~ $allowed ]]; then
      echo "layering: $file: $message"
      fail=1
    fi
  done < <(grep -srlE --include=CMakeLists.txt "$pattern" core frontends trainers apps 2>/dev/null || true)
}
check 'RocksDB::' '^core/(log|state)/' "links RocksDB (only core/log and core/state may)"
check 'gRPC::|recplat::proto_grpc' '^core/grpc/' "links gRPC (only core/grpc may)"
check 'torch|Torch' '^trainers/torch_' "links LibTorch (only trainers/torch_* may)"
if [ -d frontends ]; then
  while IFS= read -r file; do
    echo "layering: $file: a frontend must reach the core through recplat::service only"
    fail=1
  done < <(grep -srlE --include=CMakeLists.txt \
      'recplat::(state|log|engine|registry|models|ingest|training)\b|RocksDB::' frontends || true)
fi
# Sources must not include RocksDB or gRPC headers outside their modules either.
while IFS= read -r file; do
  echo "layering: $file: includes RocksDB headers"
  fail=1
done < <(grep -srlE '#include "rocksdb/' --include='*.h' --include='*.cc' core frontends trainers apps \
           | grep -vE '^core/(log|state)/' || true)
while IFS= read -r file; do
  echo "layering: $file: includes gRPC headers"
  fail=1
done < <(grep -srlE '#include "grpcpp/|\.grpc\.pb\.h"' --include='*.h' --include='*.cc' core frontends trainers apps \
           | grep -vE '^core/grpc/' || true)
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "layering: ok"
