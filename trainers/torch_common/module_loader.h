// File: module_loader.h
//
// Finds and opens a LibTorch module of a model family (trainers/torch_gru4rec/internal/
// torch_api.h explains why torch is never linked into executables). Nothing here includes or
// links LibTorch: it is dlopen, dlsym and a path search, shared by trainers/torch_gru4rec,
// trainers/torch_ncf and trainers/torch_rl.
//
// Search order: $<env_var> (when set and non-empty); the path the build put the module at;
// next to the running executable; then the bare file name, for the dynamic linker's search
// path. A path containing '/' that does not exist is skipped as "(missing)". The first module
// that opens and exports `symbol` returning a table of `version` wins; a handle that was opened
// stays open (unloading torch is not safe).
//
// Thread-safety: LoadTorchModule is thread-safe but loads again on every call; each family
// keeps its table in a function-local static so that it loads once.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "absl/status/statusor.h"

namespace recplat::torch_common {

struct TorchModuleSpec {
  // Start of the error message, e.g. "ncf: cannot load the LibTorch trainer module".
  std::string_view what;
  // Environment variable that overrides the search, e.g. "RECPLAT_NCF_TORCH_MODULE".
  std::string_view env_var;
  // Where the build put the module; empty when the build did not say.
  std::string_view build_path;
  // File name of the module, e.g. "librecplat_ncf_torch.so".
  std::string_view file_name;
  // Exported entry point: `const Table* symbol()`, e.g. "RecplatNcfTorchApi".
  std::string_view symbol;
  // The table's first member is `int version`; a table of any other version is refused.
  int version = 0;
};

// The table the module's entry point returns. FAILED_PRECONDITION naming every path tried
// (and why each failed) when no candidate provides it.
absl::StatusOr<const void*> LoadTorchModule(const TorchModuleSpec& spec);

// LoadTorchModule for a table type whose first member is `int version`.
template <typename Table>
absl::StatusOr<const Table*> LoadTorchModuleTable(const TorchModuleSpec& spec) {
  static_assert(std::is_standard_layout_v<Table> && offsetof(Table, version) == 0,
                "a torch module table must be standard-layout and start with int version");
  absl::StatusOr<const void*> table = LoadTorchModule(spec);
  if (!table.ok()) return table.status();
  return static_cast<const Table*>(*table);
}

}  // namespace recplat::torch_common
