// File: record_batch.h
//
// The envelope of one replicated append: the records of one EventLog::Append call framed into
// one message body (one JetStream message per batch, core/log/jetstream_event_log.h).
//
// Format (version 1): one byte 0x01, then per record a 4-byte big-endian length and the
// record's bytes. An empty batch is the single version byte.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::log {

// The framed body of `records`. REQUIRES: each record is shorter than 4 GiB.
std::string EncodeRecordBatch(const std::vector<std::string>& records);

// The records of a framed body. DATA_LOSS when `body` is not a version-1 batch (empty, other
// version byte, a length running past the end).
absl::StatusOr<std::vector<std::string>> DecodeRecordBatch(absl::string_view body);

}  // namespace recplat::log
