// File: model_store.h
//
// Wiring of `registry.store`: for "s3", the S3 client (credentials and region from the AWS
// chain, aws_credentials.h), its request metrics, and the registry's S3 source and publisher
// (core/registry/s3_model_store.h), with downloads cached under `<data_dir>/models-s3-cache` (each removed once loaded).
// "local" leaves the registry on its directory.
#pragma once

#include <filesystem>

#include "absl/status/status.h"
#include "core/config/config.h"
#include "core/registry/model_registry.h"
#include "prometheus/registry.h"

namespace recplat::app {

// Sets options->source and options->publisher for `config.registry.store`. `metrics` may be
// null. INVALID_ARGUMENT naming the key or the AWS variable when the store cannot be set up
// (no request is made here: an unreachable store shows at the first poll or training).
absl::Status ConfigureModelStore(const config::Config& config, prometheus::Registry* metrics,
                                 registry::RegistryOptions* options);

}  // namespace recplat::app
