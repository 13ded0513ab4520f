#!/usr/bin/env bash
# Fails when the code skips a layer (ARCHITECTURE.md, "One owner of state and policy"):
#  - every #include against the module table of scripts/check_layering.py (frontends and tools
#    include only core/api and core/common from the core; the core includes no frontend or
#    trainer; internal/ headers stay in their module; RocksDB, gRPC and LibTorch headers stay in
#    the modules that own them);
#  - the CMake link graph agrees: only core/log and core/state link RocksDB, only core/grpc
#    links gRPC, only trainers/torch_* link LibTorch, frontends link recplat::api (never the
#    state, log, engine, registry, models, ingest, training, service, monitoring or eval).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
python3 scripts/check_layering.py || fail=1
check() {  # check <pattern> <allowed path regex> <message>
  local pattern="$1" allowed="$2" message="$3"
  while IFS= read -r file; do
    if ! [[ "$file" =~ $allowed ]]; then
      echo "layering: $file: $message"
      fail=1
    fi
  done < <(grep -srlE --include=CMakeLists.txt "$pattern" core frontends trainers apps tools 2>/dev/null || true)
}
check 'RocksDB::' '^core/(log|state)/' "links RocksDB (only core/log and core/state may)"
check 'gRPC::|recplat::proto_grpc' '^core/grpc/' "links gRPC (only core/grpc may)"
check 'torch|Torch' '^trainers/torch_' "links LibTorch (only trainers/torch_* may)"
while IFS= read -r file; do
  echo "layering: $file: a frontend or tool must reach the core through recplat::api only"
  fail=1
done < <(grep -srlE --include=CMakeLists.txt \
    'recplat::(state|log|engine|registry|models|ingest|training|service|config|catalog|shop|monitoring|eval)\b|RocksDB::' \
    frontends tools || true)
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "layering: cmake ok"
