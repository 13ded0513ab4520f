#include "tests/testing/test_env.h"

#include <unistd.h>

#include <cstdlib>
#include <random>
#include <system_error>

namespace recplat::testing {

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto candidate = base / ("recplat_test_" + std::to_string(::getpid()) + "_" +
                             std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directory(candidate, ec)) {
      path_ = candidate;
      return;
    }
  }
  std::abort();  // Cannot create a temporary directory: the test environment is broken.
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path DatasetsDir() {
  if (const char* env = std::getenv("RECPLAT_DATASETS"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* src = std::getenv("RECPLAT_SOURCE_DIR");
  const std::filesystem::path source =
      src != nullptr && *src != '\0' ? std::filesystem::path(src) : RECPLAT_SOURCE_DIR_DEFAULT;
  return (source / ".." / "shared" / "datasets").lexically_normal();
}

std::filesystem::path SourceDir() {
  const char* src = std::getenv("RECPLAT_SOURCE_DIR");
  return src != nullptr && *src != '\0' ? std::filesystem::path(src)
                                         : std::filesystem::path(RECPLAT_SOURCE_DIR_DEFAULT);
}

std::filesystem::path BinaryDir() {
  if (const char* env = std::getenv("RECPLAT_BINARY_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return RECPLAT_BINARY_DIR_DEFAULT;
}

std::filesystem::path DatasetPath(const std::string& relative) {
  auto p = DatasetsDir() / relative;
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

}  // namespace recplat::testing
