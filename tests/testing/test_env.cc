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
  if (const char* src = std::getenv("RECPLAT_SOURCE_DIR"); src != nullptr && *src != '\0') {
    return std::filesystem::path(src) / ".." / "shared" / "datasets";
  }
  std::filesystem::path dir = std::filesystem::current_path();
  for (int i = 0; i < 6 && !dir.empty(); ++i) {
    auto candidate = dir / ".." / "shared" / "datasets";
    if (std::filesystem::exists(candidate)) return candidate;
    dir = dir.parent_path();
  }
  return "../shared/datasets";
}

std::filesystem::path DatasetPath(const std::string& relative) {
  auto p = DatasetsDir() / relative;
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

}  // namespace recplat::testing
