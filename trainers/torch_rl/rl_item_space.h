// File: rl_item_space.h
//
// The RL agent's service embedder: a fixed (untrained) embedding of each service's content
// features, so the item space does not move while the agent trains and a served list is an
// action (rl_types.h). A feature is an item label with one of the feature prefixes (the ncf
// family's: "c:", "domain:", "provider:", ...); each feature gets a pseudo-random Gaussian
// vector of size `se` seeded by the hash of its label (the same feature gets the same vector in
// every catalogue), and a service is the L2-normalised sum of its features' vectors. A service
// without features gets a vector seeded by its index.
//
// This replaces the seed's trained service autoencoder (the ncf family has no separate
// autoencoder to reuse: its one-hot features enter its content tower directly).
#pragma once

#include <string>
#include <vector>

#include "core/models/training_data.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::rl {

// The ncf family's feature prefixes (eosc's labels).
std::vector<std::string> DefaultFeaturePrefixes();

// Item i's features are the labels of data.items[i].categories with one of `prefixes`.
RlItemSpace BuildItemSpace(const models::TrainingData& data, int se,
                           const std::vector<std::string>& prefixes);

}  // namespace recplat::rl
