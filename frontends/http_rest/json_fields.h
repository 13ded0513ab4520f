// File: json_fields.h
//
// For route sets whose original validated request bodies with pydantic v1 (ecoseller, and the
// Python services the later profiles replace): conversion of decoded JSON values into C++
// fields with pydantic v1's coercions, errors that name the field path ("items[2].price: ..."),
// and the bounded JSON text parser. The coercions, per target type:
//   int64     JSON integers, floats with no fractional part, and decimal integer strings
//             (surrounding whitespace allowed), all within int64.
//   double    finite numbers, and strings Python's float() reads (finite).
//   bool      true/false, the numbers 0/1, and the strings 1/0, on/off, t/f, true/false, y/n,
//             yes/no in any case.
//   string    strings, and integers (as their decimal text).
//   datetime  ISO-8601 (date, 'T' or ' ', hh:mm[:ss[.ffffff]], optional Z or +hh[:mm]) or a Unix
//             timestamp as a number or numeric string (above 2e10 taken as milliseconds),
//             within years 1..9999; kept to whole microseconds.
//
// Thread-safety: pure functions; an ObjectReader is a read-only view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::http::json_fields {

// "parent.key", or "key" when `parent` is empty.
std::string JoinPath(absl::string_view parent, absl::string_view key);
// "parent[index]".
std::string IndexPath(absl::string_view parent, size_t index);
// INVALID_ARGUMENT "<path>: <problem>" (just `problem` when `path` is empty).
absl::Status FieldError(absl::string_view path, absl::string_view problem);
// `text` for an error message: at most 64 bytes, C-escaped (non-ASCII as \xNN), in quotes.
std::string QuoteForMessage(absl::string_view text);
// "expected <expected>, got <json type of value>".
std::string TypeMismatch(absl::string_view expected, const nlohmann::json& value);

// `time` rounded down to whole microseconds (Python datetime's resolution).
absl::Time TruncateToMicros(absl::Time time);
// Pydantic v1 datetime text (objects.h): ISO-8601 or a Unix timestamp. INVALID_ARGUMENT
// "<path>: ..." when malformed or out of range (years 1..9999).
absl::StatusOr<absl::Time> ParseDateTime(absl::string_view text, absl::string_view path);
// "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC, microseconds), which ParseDateTime reads back exactly.
// REQUIRES: `time` lies in years 1..9999, as every ParseDateTime result does.
std::string FormatDateTime(absl::Time time);
// Python float(text) for finite results (surrounding whitespace allowed); nullopt otherwise.
std::optional<double> ParseFiniteDouble(absl::string_view text);

// Decodes JSON text. INVALID_ARGUMENT (with the byte offset) for malformed JSON, nesting deeper
// than `max_depth`, or more than `max_bytes` bytes. Never throws.
absl::StatusOr<nlohmann::json> ParseJsonText(absl::string_view text, size_t max_bytes,
                                             int max_depth);

// Converters: `value` (found at `path`, not null) into `*out`. INVALID_ARGUMENT naming `path`.
absl::Status Convert(const nlohmann::json& value, absl::string_view path, int64_t* out);
absl::Status Convert(const nlohmann::json& value, absl::string_view path, double* out);
absl::Status Convert(const nlohmann::json& value, absl::string_view path, bool* out);
absl::Status Convert(const nlohmann::json& value, absl::string_view path, std::string* out);
absl::Status Convert(const nlohmann::json& value, absl::string_view path, absl::Time* out);

template <typename T>
absl::Status Convert(const nlohmann::json& value, absl::string_view path, std::vector<T>* out) {
  if (!value.is_array()) {
    return FieldError(path, TypeMismatch("a list", value));
  }
  std::vector<T> result;
  result.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const nlohmann::json& element = value[i];
    if (element.is_null()) {
      return FieldError(IndexPath(path, i), "must not be null");
    }
    T converted{};
    absl::Status status = Convert(element, IndexPath(path, i), &converted);
    if (!status.ok()) {
      return status;
    }
    result.push_back(std::move(converted));
  }
  *out = std::move(result);
  return absl::OkStatus();
}

// A read-only view of one JSON object and its path from the request root.
class ObjectReader {
 public:
  // REQUIRES: `object` is a JSON object that outlives the reader.
  ObjectReader(const nlohmann::json& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string PathOf(absl::string_view key) const { return JoinPath(path_, key); }
  // The value under `key`, or nullptr when absent.
  const nlohmann::json* Find(absl::string_view key) const;

  // Required, non-null field.
  template <typename T>
  absl::Status Required(absl::string_view key, T* out) const {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) {
      return FieldError(PathOf(key), "required");
    }
    if (value->is_null()) {
      return FieldError(PathOf(key), "must not be null");
    }
    return Convert(*value, PathOf(key), out);
  }

  // Optional[T]: absent or null -> nullopt.
  template <typename T>
  absl::Status Optional(absl::string_view key, std::optional<T>* out) const {
    const nlohmann::json* value = Find(key);
    if (value == nullptr || value->is_null()) {
      out->reset();
      return absl::OkStatus();
    }
    T converted{};
    absl::Status status = Convert(*value, PathOf(key), &converted);
    if (!status.ok()) {
      return status;
    }
    *out = std::move(converted);
    return absl::OkStatus();
  }

  // A field with a default: absent keeps `*out`; null is an error (pydantic v1 rejects None for
  // a non-Optional field even when it has a default).
  template <typename T>
  absl::Status Defaulted(absl::string_view key, T* out) const {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) {
      return absl::OkStatus();
    }
    return Required(key, out);
  }

  // Optional[T] with a default: absent or null keeps `*out`.
  template <typename T>
  absl::Status NullableDefaulted(absl::string_view key, T* out) const {
    const nlohmann::json* value = Find(key);
    if (value == nullptr || value->is_null()) {
      return absl::OkStatus();
    }
    return Convert(*value, PathOf(key), out);
  }

 private:
  const nlohmann::json& object_;
  std::string path_;
};

}  // namespace recplat::http::json_fields
