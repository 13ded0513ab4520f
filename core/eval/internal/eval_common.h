// File: internal/eval_common.h
//
// Pieces shared by the two offline protocols of `recplat eval` (eval.h: users' held-out
// items; session_eval.h: next click at every position). Not part of the eval API.
//
// Thread-safety: reentrant functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/models/model_family.h"

namespace recplat::eval::internal {

// The whole file at `path`. NOT_FOUND when it cannot be opened, INVALID_ARGUMENT when a read
// fails.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Checks the options both protocols share and returns the family. INVALID_ARGUMENT for k < 1,
// threads < 0, an unknown family (naming the known ones) or params the family rejects.
absl::StatusOr<const models::ModelFamily*> CheckCommonOptions(
    int k, int threads, const std::string& family, const models::ModelParams& params,
    const models::ModelFamilyRegistry& families);

}  // namespace recplat::eval::internal
