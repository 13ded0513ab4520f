# Every external package lookup of the project, in one place.
# All of them are Debian bookworm packages installed by scripts/install-deps.sh.

find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
if(RECPLAT_SANITIZE MATCHES "thread")
  # ThreadSanitizer: link Debian's (uninstrumented) RocksDB as a shared library, so that
  # TSAN_OPTIONS=ignore_noninstrumented_modules=1 (scripts/test.sh) keeps TSan from reporting the
  # memcpy/memcmp its internals make under synchronisation TSan cannot see (its atomics).
  get_target_property(recplat_rocksdb_so RocksDB::rocksdb-shared IMPORTED_LOCATION_NONE)
  set_target_properties(RocksDB::rocksdb PROPERTIES IMPORTED_LOCATION_NONE "${recplat_rocksdb_so}")
endif()
# NATS C client (Debian libnats-dev): the JetStream event log, core/log only. Debian's
# cnats-config.cmake also names libnats_static.a, which the package does not ship, and then
# fails: find the shared library by hand and declare the target it would have made.
find_library(RECPLAT_NATS_LIBRARY NAMES nats REQUIRED)
find_path(RECPLAT_NATS_INCLUDE_DIR nats/nats.h REQUIRED)
if(NOT TARGET cnats::nats)
  add_library(cnats::nats SHARED IMPORTED)
  set_target_properties(cnats::nats PROPERTIES
    IMPORTED_LOCATION "${RECPLAT_NATS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${RECPLAT_NATS_INCLUDE_DIR}")
endif()
find_package(yaml-cpp CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(Eigen3 CONFIG REQUIRED)
# Boost.Beast/Asio are header-only; Boost 1.74's config exports Boost::boost for the headers.
find_package(Boost 1.74 REQUIRED)
# frontends/renewal_ws speaks https/wss to the Renewal backend through Boost.Asio's OpenSSL
# layer (Debian's libssl-dev).
find_package(OpenSSL REQUIRED)
# core/common/s3: libcurl does HTTP and SigV4 (CURLOPT_AWS_SIGV4), expat the XML answers.
find_package(CURL REQUIRED)
find_package(EXPAT REQUIRED)
# frontends/batch inflates the gzip Snowplow objects with zlib.
find_package(ZLIB REQUIRED)
find_package(CLI11 CONFIG QUIET)

if(NOT TARGET CLI11::CLI11)
  # Debian's libcli11-dev ships a pkg-config file and the header; wrap the header.
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()

# trainers/ease inverts a dense SPD matrix with LAPACK's Cholesky routines (spotrf + spotri)
# called through LAPACKE, backed by OpenBLAS (threaded, CPU-dispatched BLAS-3 kernels):
# Debian's libopenblas-dev and liblapacke-dev. OpenBLAS is linked directly so that the LAPACK
# symbols resolve to it whatever the libblas.so.3 / liblapack.so.3 alternatives point at.
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
find_path(LAPACKE_INCLUDE_DIR lapacke.h REQUIRED)
find_library(LAPACKE_LIBRARY lapacke REQUIRED)
if(NOT TARGET LAPACKE::LAPACKE)
  add_library(LAPACKE::LAPACKE INTERFACE IMPORTED)
  target_include_directories(LAPACKE::LAPACKE INTERFACE ${LAPACKE_INCLUDE_DIR})
  target_link_libraries(LAPACKE::LAPACKE INTERFACE ${LAPACKE_LIBRARY} LAPACK::LAPACK BLAS::BLAS)
endif()

# yaml-cpp 0.7 exports a plain `yaml-cpp` target.
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()

if(RECPLAT_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(RECPLAT_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()
if(RECPLAT_ENABLE_TORCH)
  # Debian's libtorch-dev (LibTorch 1.13, CPU) ships TorchConfig.cmake; only trainers/torch_*
  # link ${TORCH_LIBRARIES} (scripts/check-layering.sh).
  # Torch's Caffe2 config wants a plain `gflags` target. Debian's gflags config (already loaded
  # through RocksDB) makes one without a location for Release builds, which fails generation:
  # give Caffe2 one that forwards to gflags::gflags_shared instead.
  if(NOT TARGET gflags AND TARGET gflags::gflags_shared)
    add_library(gflags INTERFACE IMPORTED)
    target_link_libraries(gflags INTERFACE gflags::gflags_shared)
  endif()
  find_package(Torch CONFIG QUIET)
  if(NOT Torch_FOUND)
    message(FATAL_ERROR
      "RECPLAT_ENABLE_TORCH is ON (the default) but LibTorch was not found. Run "
      "scripts/install-deps.sh (it installs Debian's libtorch-dev), or configure with "
      "-DRECPLAT_ENABLE_TORCH=OFF to build without the LibTorch model families (gru4rec).")
  endif()
endif()

find_program(RECPLAT_PROTOC protoc REQUIRED)
find_program(RECPLAT_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
