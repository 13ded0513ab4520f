// File: test_env.h
//
// Helpers for tests: temporary directories and the location of the shared datasets.
#pragma once

#include <filesystem>
#include <string>

namespace recplat::testing {

// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Root of the shared datasets: $RECPLAT_DATASETS, else <source dir>/../shared/datasets (source
// dir from $RECPLAT_SOURCE_DIR, else the source tree this test was built from).
std::filesystem::path DatasetsDir();

// The build tree: $RECPLAT_BINARY_DIR, else the one this test was built in.
std::filesystem::path BinaryDir();

// The repository root: $RECPLAT_SOURCE_DIR, else the source tree this test was built from.
std::filesystem::path SourceDir();

// DatasetsDir()/relative if it exists, else an empty path.
std::filesystem::path DatasetPath(const std::string& relative);

}  // namespace recplat::testing
