// File: validation_split.h
//
// Carving a validation split out of a training file, for hyper-parameter search
// (`recplat tune`, tune.h) without ever reading the test file. It mirrors the per-user random
// holdout of the BARS test splits: every user with at least two distinct items holds out a
// seeded random max(1, round(fraction × distinct items)) of them (at most all but one); all of
// the user's interactions with a held-out item go to the validation part, everything else stays
// in the fit part. Users are visited in order of first appearance and one generator seeded by
// `seed` draws every shuffle, so the split depends only on the file's content, the fraction and
// the seed.
//
// Thread-safety: reentrant.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/eval/interaction_file.h"

namespace recplat::eval {

struct HoldoutOptions {
  // Share of each eligible user's distinct items held out, in (0, 1).
  double fraction = 0.2;
  uint64_t seed = 42;
};

struct HoldoutSplit {
  // The train file minus the held-out interactions, in file order.
  InteractionFile fit;
  // The held-out interactions, in file order.
  InteractionFile validation;
  // Users holding out at least one item.
  int64_t validation_users = 0;
};

// INVALID_ARGUMENT when the fraction is outside (0, 1); FAILED_PRECONDITION when no user has two
// distinct items (nothing can be held out).
absl::StatusOr<HoldoutSplit> CarveValidation(const InteractionFile& train,
                                             const HoldoutOptions& options);

}  // namespace recplat::eval
