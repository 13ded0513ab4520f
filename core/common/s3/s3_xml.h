// File: s3_xml.h
//
// Parsers of the XML documents an S3-compatible store answers with: the ListObjectsV2 result
// and the error body. They read untrusted bytes (any endpoint a user configures), so they
// return a status for anything malformed and never throw; expat does the XML (no external
// entities or DTD loading; its amplification limits stop entity bombs).
//
// Thread-safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::s3 {

// One object of a listing (or of HeadObject).
struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  std::string etag;           // as the store sends it, quotes removed
  std::string last_modified;  // ISO-8601 as the store sends it (HeadObject: the HTTP date)
};

// One page of ListObjectsV2.
struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

// The parts of an S3 error body (<Error><Code>…</Code><Message>…</Message></Error>).
struct ErrorBody {
  std::string code;
  std::string message;
};

// Parses a ListBucketResult. InvalidArgument names what is wrong (not XML, another root
// element, a Contents without Key, a Size that is not a non-negative integer, a truncated
// page without a continuation token).
absl::StatusOr<ListPage> ParseListObjectsV2(absl::string_view xml);

// Parses an Error document. An empty or non-XML body (HEAD responses have none) gives an empty
// ErrorBody rather than an error: the HTTP status still says what happened.
ErrorBody ParseErrorBody(absl::string_view xml);

}  // namespace recplat::s3
