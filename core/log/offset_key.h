// File: offset_key.h
//
// Big-endian encoding of log offsets as 8-byte keys, so byte order equals numeric order.
#pragma once

#include <cstdint>

namespace recplat::log {

inline constexpr int kOffsetKeySize = 8;

inline void EncodeOffsetKey(uint64_t offset, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(offset & 0xff);
    offset >>= 8;
  }
}

inline uint64_t DecodeOffsetKey(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

}  // namespace recplat::log
