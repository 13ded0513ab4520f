// File: sections.h
//
// Binds a frontend's ConfigSection (core/common/config_section.h) as a config struct (private
// to core/config), so the decoder, encoder, key lister, path setter and validator treat its
// fields exactly like the core's. See visitor.h for the view contract.
#pragma once

#include "core/common/config_section.h"
#include "core/config/internal/visitor.h"

namespace recplat::config::internal {

// A view of `section`'s fields; `section` must outlive it.
StructRef BindSection(common::ConfigSection& section);

}  // namespace recplat::config::internal
