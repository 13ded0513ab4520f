#include "core/log/record_batch.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace recplat::log {
namespace {

constexpr char kVersion = 0x01;
constexpr size_t kLengthSize = 4;

}  // namespace

std::string EncodeRecordBatch(const std::vector<std::string>& records) {
  size_t size = 1;
  for (const std::string& r : records) size += kLengthSize + r.size();
  std::string out;
  out.reserve(size);
  out.push_back(kVersion);
  for (const std::string& r : records) {
    const uint32_t n = static_cast<uint32_t>(r.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
    out.append(r);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeRecordBatch(absl::string_view body) {
  if (body.empty() || body[0] != kVersion) {
    return absl::DataLossError("log batch: missing or unknown version byte");
  }
  std::vector<std::string> records;
  size_t pos = 1;
  while (pos < body.size()) {
    if (body.size() - pos < kLengthSize) {
      return absl::DataLossError(absl::StrCat("log batch: truncated length at byte ", pos));
    }
    uint32_t n = 0;
    for (size_t i = 0; i < kLengthSize; ++i) {
      n = (n << 8) | static_cast<unsigned char>(body[pos + i]);
    }
    pos += kLengthSize;
    if (body.size() - pos < n) {
      return absl::DataLossError(
          absl::StrCat("log batch: record ", records.size(), " runs past the end"));
    }
    records.emplace_back(body.substr(pos, n));
    pos += n;
  }
  return records;
}

}  // namespace recplat::log
