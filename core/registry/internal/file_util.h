// File: file_util.h
//
// Durable file operations for the registry's metadata: whole-file reads, atomic replacement
// (write a temporary, fsync, rename, fsync the directory) and fsync of artifact trees. A crash at
// any point leaves either the old or the new content of a file, never a mix.
//
// Not part of the registry's public interface. Errors are absl::Status values; nothing throws.
//
// Thread-safety: the functions are thread-safe as long as no two callers write the same path at
// the same time (the registry serialises its writes per model).
#pragma once

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::registry::internal {

// Suffix of the temporary written next to a file by WriteFileAtomically.
inline constexpr absl::string_view kTempSuffix = ".tmp";

// The content of `path`. NOT_FOUND when it does not exist, INTERNAL on other I/O errors.
absl::StatusOr<std::string> ReadFileToString(const std::filesystem::path& path);

// Replaces `path` with `contents` atomically and durably: writes `path` + kTempSuffix, fsyncs
// it, renames it over `path` and fsyncs the parent directory. INTERNAL (RESOURCE_EXHAUSTED when
// the disk is full) on failure, in which case `path` is unchanged.
absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view contents);

// fsyncs the directory `dir` so that entries created, renamed or removed in it are durable.
absl::Status SyncDir(const std::filesystem::path& dir);

// fsyncs every regular file and directory under `dir`, and `dir` itself (used on artifacts
// before their version is committed).
absl::Status SyncTree(const std::filesystem::path& dir);

// Renames `from` to `to` (same filesystem) and fsyncs the parent directory of `to`.
absl::Status RenameDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes the file `path` (OK when it does not exist) and fsyncs its directory.
absl::Status RemoveFileDurably(const std::filesystem::path& path);

}  // namespace recplat::registry::internal
