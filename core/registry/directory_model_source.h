// File: directory_model_source.h
//
// The ModelSource over a registry directory: the layout of model_registry.h, on a local disk
// or on a filesystem that several processes share (a server and `recplat train`, or replicas
// on one volume). It reads only: CURRENT files, version.json files and artifact directories,
// and stats them to fingerprint what a version's publication looks like (inode, size and
// modification time of CURRENT, of the version's version.json and of its artifact directory:
// the registry writes them by atomic rename, so any republication changes one of them).
//
// Artifacts are served in place (Fetch hands out the version's artifact directory; releasing it
// does nothing).
//
// Thread-safety: thread-safe (it keeps no state besides the root).
#pragma once

#include <filesystem>
#include <memory>

#include "core/registry/model_source.h"

namespace recplat::registry {

// A source reading the registry directory `root` (which need not exist yet: it then lists
// nothing).
std::unique_ptr<ModelSource> NewDirectoryModelSource(std::filesystem::path root);

}  // namespace recplat::registry
