// File: artifact_io.h
//
// The binary artifact format shared by the built-in model families: one file holding a header
// (magic, format version, family name), named typed sections (vectors of uint32 / float /
// double / int64, and byte strings) and a trailing FNV-1a 64 checksum over everything before
// it. All numbers are little-endian fixed-width.
//
//   offset 0   "RPLMODEL"                 8 bytes
//              u32 format version          (kArtifactFormatVersion)
//              u32 n, family name          n bytes
//              u32 section count
//   per section:
//              u32 n, section name         n bytes
//              u8  type                    (ArtifactType)
//              u64 count                   elements (bytes for kString)
//              payload                     count * element size
//   end - 8    u64 FNV-1a 64 of all bytes before it
//
// This is not a general serialisation library: sections are read whole into memory, and a
// family decides what its sections mean. Reading never trusts the file: a truncated, corrupt
// or mismatched artifact yields DATA_LOSS with a reason, never a crash.
//
// Thread-safety: ArtifactWriter and ArtifactReader are not thread-safe; an ArtifactReader
// only read from (const methods) may be shared.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::models {

inline constexpr uint32_t kArtifactFormatVersion = 1;
// Name of the artifact file the built-in families write inside a model directory.
inline constexpr char kModelArtifactFile[] = "model.rpa";

enum class ArtifactType : uint8_t { kU32 = 1, kF32 = 2, kF64 = 3, kI64 = 4, kString = 5 };

// FNV-1a 64 of `bytes`.
uint64_t Fnv1a64(absl::string_view bytes);

// Builds an artifact in memory. Section names must be unique within one artifact (a reader
// rejects duplicates).
class ArtifactWriter {
 public:
  explicit ArtifactWriter(absl::string_view family);

  void AddU32(absl::string_view name, std::span<const uint32_t> values);
  void AddF32(absl::string_view name, std::span<const float> values);
  void AddF64(absl::string_view name, std::span<const double> values);
  void AddI64(absl::string_view name, std::span<const int64_t> values);
  void AddString(absl::string_view name, absl::string_view value);

  // The complete artifact bytes.
  std::string Serialize() const;

  // Writes Serialize() to `path` durably: to `path`.tmp, fsync, then rename over `path`. The
  // directory must exist. INTERNAL with the OS error on failure (nothing is left at `path`).
  absl::Status WriteFile(const std::filesystem::path& path) const;

 private:
  void AddSection(absl::string_view name, ArtifactType type, uint64_t count, const void* data,
                  size_t bytes);

  std::string family_;
  std::string body_;
  uint32_t sections_ = 0;
};

// Parses and validates a whole artifact, then hands out its sections by name.
class ArtifactReader {
 public:
  // Validates `bytes` (size, magic, checksum, version, family, section bounds).
  // DATA_LOSS naming the problem when anything is wrong, including a family other than
  // `expected_family`.
  static absl::StatusOr<ArtifactReader> Parse(std::string bytes, absl::string_view expected_family);
  // Reads `path` and parses it. DATA_LOSS when the file is missing or unreadable too.
  static absl::StatusOr<ArtifactReader> ReadFile(const std::filesystem::path& path,
                                                 absl::string_view expected_family);

  const std::string& family() const { return family_; }
  bool Has(absl::string_view name) const { return sections_.contains(name); }

  // The named section's values. DATA_LOSS when the section is missing or of another type.
  absl::StatusOr<std::vector<uint32_t>> U32(absl::string_view name) const;
  absl::StatusOr<std::vector<float>> F32(absl::string_view name) const;
  absl::StatusOr<std::vector<double>> F64(absl::string_view name) const;
  absl::StatusOr<std::vector<int64_t>> I64(absl::string_view name) const;
  absl::StatusOr<std::string> String(absl::string_view name) const;

  // A section holding exactly one value. DATA_LOSS otherwise.
  absl::StatusOr<double> F64Scalar(absl::string_view name) const;
  absl::StatusOr<int64_t> I64Scalar(absl::string_view name) const;

 private:
  struct Section {
    ArtifactType type;
    uint64_t count;
    size_t offset;  // Into bytes_.
  };

  ArtifactReader() = default;
  absl::StatusOr<const Section*> Find(absl::string_view name, ArtifactType type) const;
  template <typename T>
  absl::StatusOr<std::vector<T>> Values(absl::string_view name, ArtifactType type) const;

  std::string bytes_;
  std::string family_;
  absl::flat_hash_map<std::string, Section> sections_;
};

}  // namespace recplat::models
