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
//             within years 1..9999; kept to whole microseconds (extra fraction digits are
//             dropped; naive times are UTC).
// Deviations from pydantic v1: non-integral floats are rejected for integers (pydantic
// truncates), floats and booleans are rejected for strings and integers, and non-finite numbers
// are rejected.
//
// ObjectReader reads one object's fields the way a pydantic v1 model declares them: required,
// Optional, with a default, Optional with a default, nested models, lists of models or of
// custom elements, Dict[str, T], fields given by alias or by name. TaggedUnion picks the model
// of an object by a tag field.
//
// Thread-safety: pure functions; an ObjectReader is a read-only view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
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

// pydantic's gt=0 (or, with `allow_zero`, ge=0) on a number found at `path`: INVALID_ARGUMENT
// "<path>: must be positive" ("must not be negative") otherwise.
absl::Status CheckPositive(absl::string_view path, double value, bool allow_zero);

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

  // The key a field is given under: `alias` when present (pydantic's alias wins), else `name`
  // (allow_population_by_field_name).
  absl::string_view KeyOf(absl::string_view alias, absl::string_view name) const {
    return Find(alias) != nullptr ? alias : name;
  }

  // A nested model with a default: absent keeps `*out`; null or a non-object is an error;
  // otherwise `parse(ObjectReader, T*)` fills a default-constructed T that replaces `*out`.
  template <typename T, typename Parse>
  absl::Status Nested(absl::string_view key, T* out, Parse parse) const {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) {
      return absl::OkStatus();
    }
    const std::string path = PathOf(key);
    if (value->is_null()) {
      return FieldError(path, "must not be null");
    }
    if (!value->is_object()) {
      return FieldError(path, TypeMismatch("an object", *value));
    }
    T nested{};
    absl::Status status = parse(ObjectReader(*value, path), &nested);
    if (!status.ok()) {
      return status;
    }
    *out = std::move(nested);
    return absl::OkStatus();
  }

  // A required, non-null list whose elements `element(value, path)` -> StatusOr<T> parses;
  // a non-list is "expected <expected>, got ...".
  template <typename T, typename Element>
  absl::Status RequiredList(absl::string_view key, absl::string_view expected, Element element,
                            std::vector<T>* out) const {
    const nlohmann::json* value = Find(key);
    const std::string path = PathOf(key);
    if (value == nullptr) {
      return FieldError(path, "required");
    }
    if (value->is_null()) {
      return FieldError(path, "must not be null");
    }
    if (!value->is_array()) {
      return FieldError(path, TypeMismatch(expected, *value));
    }
    std::vector<T> result;
    result.reserve(value->size());
    for (size_t i = 0; i < value->size(); ++i) {
      absl::StatusOr<T> parsed = element((*value)[i], IndexPath(path, i));
      if (!parsed.ok()) {
        return parsed.status();
      }
      result.push_back(*std::move(parsed));
    }
    *out = std::move(result);
    return absl::OkStatus();
  }

  // List[Model], required: every element an object that `parse(ObjectReader)` -> StatusOr<T>
  // reads.
  template <typename T, typename Parse>
  absl::Status RequiredModels(absl::string_view key, Parse parse, std::vector<T>* out) const {
    auto element = [&parse](const nlohmann::json& value,
                            const std::string& path) -> absl::StatusOr<T> {
      if (!value.is_object()) {
        return FieldError(path, TypeMismatch("an object", value));
      }
      return parse(ObjectReader(value, path));
    };
    return RequiredList(key, "a list", element, out);
  }

  // Dict[str, T] with a default: absent keeps `*out`; null, a non-object ("expected
  // <expected>, got ...") or a null value is an error.
  template <typename T>
  absl::Status DefaultedMap(absl::string_view key, absl::string_view expected,
                            std::map<std::string, T>* out) const {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) {
      return absl::OkStatus();
    }
    const std::string path = PathOf(key);
    if (value->is_null()) {
      return FieldError(path, "must not be null");
    }
    if (!value->is_object()) {
      return FieldError(path, TypeMismatch(expected, *value));
    }
    std::map<std::string, T> result;
    for (const auto& [name, element] : value->items()) {
      const std::string element_path = JoinPath(path, name);
      if (element.is_null()) {
        return FieldError(element_path, "must not be null");
      }
      absl::Status status = Convert(element, element_path, &result[name]);
      if (!status.ok()) {
        return status;
      }
    }
    *out = std::move(result);
    return absl::OkStatus();
  }

 private:
  const nlohmann::json& object_;
  std::string path_;
};

// A union of models chosen by a tag: the string field `tag_key` of a JSON object names the
// alternative of `Variant` that reads the object (e.g. ecoseller's `_model_class`). `Args` are
// handed to every alternative's parser.
template <typename Variant, typename... Args>
class TaggedUnion {
 public:
  using Parser = absl::StatusOr<Variant> (*)(const ObjectReader&, Args...);
  struct Alternative {
    const char* tag;
    Parser parse;
  };

  // The Parser of an alternative read by `kParse`, which returns StatusOr<T> (T one of
  // Variant's types) from (const ObjectReader&, Args...) or from the reader alone.
  template <auto kParse>
  static absl::StatusOr<Variant> Of(const ObjectReader& reader, Args... args) {
    auto parsed = [&] {
      if constexpr (std::is_invocable_v<decltype(kParse), const ObjectReader&, Args...>) {
        return kParse(reader, args...);
      } else {
        return kParse(reader);
      }
    }();
    if (!parsed.ok()) {
      return std::move(parsed).status();
    }
    return Variant(std::move(parsed).value());
  }

  // `alternatives`: one per type of Variant, in its order (TagOf relies on it; aborts
  // otherwise). `what` names a tag in errors ("unknown <what> \"X\"").
  TaggedUnion(std::string tag_key, std::string what, std::vector<Alternative> alternatives)
      : tag_key_(std::move(tag_key)), what_(std::move(what)), alternatives_(std::move(alternatives)) {
    if (alternatives_.size() != std::variant_size_v<Variant>) std::abort();
    for (const Alternative& a : alternatives_) tags_.emplace_back(a.tag);
  }

  // `value` (at `path`) read by the alternative its tag names. INVALID_ARGUMENT when it is not
  // an object, the tag is missing, not a string or unknown, or the alternative's parser fails;
  // INTERNAL if a parser throws (a bug: parsers only read type-checked values).
  absl::StatusOr<Variant> Parse(const nlohmann::json& value, const std::string& path,
                                Args... args) const {
    if (!value.is_object()) {
      return FieldError(path, TypeMismatch("an object", value));
    }
    const ObjectReader reader(value, path);
    const nlohmann::json* tag = reader.Find(tag_key_);
    const std::string tag_path = reader.PathOf(tag_key_);
    if (tag == nullptr) {
      return FieldError(tag_path, "required");
    }
    if (!tag->is_string()) {
      return FieldError(tag_path, TypeMismatch("a string", *tag));
    }
    const std::string& name = tag->get_ref<const std::string&>();
    for (const Alternative& alternative : alternatives_) {
      if (name == alternative.tag) {
        try {
          return alternative.parse(reader, args...);
        } catch (const nlohmann::json::exception& e) {
          return absl::InternalError(absl::StrCat(what_, " parser threw: ", e.what()));
        }
      }
    }
    return FieldError(tag_path, absl::StrCat("unknown ", what_, " ", QuoteForMessage(name)));
  }

  absl::string_view TagOf(const Variant& value) const { return tags_[value.index()]; }
  // Every tag, in Variant's order.
  const std::vector<std::string>& Tags() const { return tags_; }

 private:
  std::string tag_key_;
  std::string what_;
  std::vector<Alternative> alternatives_;
  std::vector<std::string> tags_;
};

}  // namespace recplat::http::json_fields
