#include "frontends/http_rest/json_codec.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace recplat::http {

namespace {

namespace pb = google::protobuf;
using Json = nlohmann::json;

// The names of `descriptor`'s fields that SetFieldFromText accepts.
std::vector<std::string> ScalarFieldNames(const pb::Descriptor& descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const pb::FieldDescriptor* f = descriptor.field(i);
    if (!f->is_repeated() && f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      names.push_back(f->name());
    }
  }
  return names;
}

absl::Status BadValue(absl::string_view what, absl::string_view expected, absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": expected ", expected, ", got '", text, "'"));
}

// Deepest nesting of JSON values accepted; the internal API's messages need 4.
constexpr int kMaxJsonDepth = 32;

absl::Status BodyError(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("request body: ", path, ": ", problem));
}

absl::Status CheckMessage(const Json& object, const pb::Descriptor& descriptor,
                          const std::string& path);

// Checks that `value` has the JSON type the proto3 JSON mapping gives to one (non-repeated)
// value of `field`.
absl::Status CheckSingle(const Json& value, const pb::FieldDescriptor& field,
                         const std::string& path) {
  const char* expected = nullptr;
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      if (field.message_type()->file()->package() == "google.protobuf") {
        return absl::OkStatus();  // Well-known types have their own mappings.
      }
      if (value.is_object()) return CheckMessage(value, *field.message_type(), path);
      expected = "an object";
      break;
    case pb::FieldDescriptor::CPPTYPE_STRING:
      if (value.is_string()) return absl::OkStatus();
      expected = "a string";
      break;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      if (value.is_boolean()) return absl::OkStatus();
      expected = "true or false";
      break;
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      if (value.is_string() || value.is_number_integer()) return absl::OkStatus();
      expected = "an enum value name";
      break;
    default:  // Numbers; proto3 JSON also accepts them as strings ("12", "NaN").
      if (value.is_number() || value.is_string()) return absl::OkStatus();
      expected = "a number";
      break;
  }
  return BodyError(path, absl::StrCat("expected ", expected, ", got ", value.type_name()));
}

absl::Status CheckField(const Json& value, const pb::FieldDescriptor& field,
                        const std::string& path) {
  if (value.is_null()) {
    return absl::OkStatus();  // The field's default.
  }
  if (field.is_map()) {
    if (!value.is_object()) {
      return BodyError(path, absl::StrCat("expected an object, got ", value.type_name()));
    }
    const pb::FieldDescriptor& map_value = *field.message_type()->map_value();
    for (const auto& [key, entry] : value.items()) {
      RECPLAT_RETURN_IF_ERROR(CheckSingle(entry, map_value, absl::StrCat(path, ".", key)));
    }
    return absl::OkStatus();
  }
  if (field.is_repeated()) {
    if (!value.is_array()) {
      return BodyError(path, absl::StrCat("expected an array, got ", value.type_name()));
    }
    for (size_t i = 0; i < value.size(); ++i) {
      RECPLAT_RETURN_IF_ERROR(CheckSingle(value[i], field, absl::StrCat(path, "[", i, "]")));
    }
    return absl::OkStatus();
  }
  return CheckSingle(value, field, path);
}

absl::Status CheckMessage(const Json& object, const pb::Descriptor& descriptor,
                          const std::string& path) {
  for (const auto& [key, value] : object.items()) {
    const std::string field_path = path.empty() ? key : absl::StrCat(path, ".", key);
    const pb::FieldDescriptor* field = nullptr;
    for (int i = 0; i < descriptor.field_count() && field == nullptr; ++i) {
      const pb::FieldDescriptor* f = descriptor.field(i);
      if (f->name() == key || f->json_name() == key) field = f;
    }
    if (field == nullptr) {
      return BodyError(field_path, "unknown field");
    }
    RECPLAT_RETURN_IF_ERROR(CheckField(value, *field, field_path));
  }
  return absl::OkStatus();
}

// Parses `body` as strict JSON (RFC 8259) and checks it against `descriptor`: an object whose
// keys are fields of the message and whose values have the JSON types of those fields.
absl::Status CheckJson(const std::string& body, const pb::Descriptor& descriptor) {
  bool too_deep = false;
  Json document;
  try {
    document = Json::parse(body, [&too_deep](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxJsonDepth) too_deep = true;
      return !too_deep;
    });
  } catch (const Json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 9: ...".
    absl::string_view what = e.what();
    if (const size_t start = what.find("] "); start != absl::string_view::npos) {
      what.remove_prefix(start + 2);
    }
    return absl::InvalidArgumentError(absl::StrCat("request body: invalid JSON: ", what));
  }
  if (too_deep) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body: nested deeper than ", kMaxJsonDepth, " levels"));
  }
  if (!document.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body: expected a JSON object, got ", document.type_name()));
  }
  return CheckMessage(document, descriptor, "");
}

}  // namespace

absl::Status ParseJsonBody(const HttpRequest& request, pb::Message* message) {
  message->Clear();
  if (absl::StripAsciiWhitespace(request.body).empty()) {
    return absl::InvalidArgumentError("request body: empty; expected a JSON object");
  }
  // protobuf 3.21's parser is lenient (trailing commas, unquoted keys, "yes" read as true, a
  // scalar read as a one-element list), so the body is checked strictly first.
  if (absl::Status s = CheckJson(request.body, *message->GetDescriptor()); !s.ok()) {
    return s;
  }
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = pb::util::JsonStringToMessage(request.body, message, options);
  if (!parsed.ok()) {
    message->Clear();
    // "(items[0].k): invalid value ..." -> "items[0].k: invalid value ...".
    std::string reason(parsed.message());
    if (const size_t end = reason.find("): ");
        !reason.empty() && reason[0] == '(' && end != std::string::npos) {
      reason = absl::StrCat(reason.substr(1, end - 1), reason.substr(end + 1));
    }
    return absl::InvalidArgumentError(absl::StrCat("request body: ", reason));
  }
  return absl::OkStatus();
}

absl::Status SetFieldFromText(absl::string_view name, absl::string_view text,
                              absl::string_view what, pb::Message* message) {
  const pb::Descriptor& descriptor = *message->GetDescriptor();
  const pb::FieldDescriptor* field = descriptor.FindFieldByName(std::string(name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    const std::vector<std::string> accepted = ScalarFieldNames(descriptor);
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": unknown; accepted: ", accepted.empty() ? "none" : absl::StrJoin(accepted, ", ")));
  }
  const pb::Reflection& reflection = *message->GetReflection();
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      reflection.SetString(message, field, std::string(text));
      return absl::OkStatus();
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return BadValue(what, "a 32-bit integer", text);
      reflection.SetInt32(message, field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return BadValue(what, "a 64-bit integer", text);
      reflection.SetInt64(message, field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return BadValue(what, "a non-negative integer", text);
      reflection.SetUInt32(message, field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return BadValue(what, "a non-negative integer", text);
      reflection.SetUInt64(message, field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = 0;
      if (!absl::SimpleAtod(text, &v)) return BadValue(what, "a number", text);
      reflection.SetDouble(message, field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      float v = 0;
      if (!absl::SimpleAtof(text, &v)) return BadValue(what, "a number", text);
      reflection.SetFloat(message, field, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      if (text == "true" || text == "1") {
        reflection.SetBool(message, field, true);
      } else if (text == "false" || text == "0") {
        reflection.SetBool(message, field, false);
      } else {
        return BadValue(what, "true or false", text);
      }
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumDescriptor& type = *field->enum_type();
      const pb::EnumValueDescriptor* value = type.FindValueByName(std::string(text));
      int number = 0;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) {
        value = type.FindValueByNumber(number);
      }
      if (value == nullptr) {
        std::vector<std::string> names;
        for (int i = 0; i < type.value_count(); ++i) names.push_back(type.value(i)->name());
        return BadValue(what, absl::StrCat("one of ", absl::StrJoin(names, ", ")), text);
      }
      reflection.SetEnum(message, field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InternalError(absl::StrCat(what, ": unsupported field type"));
}

absl::Status ParseQueryParams(const HttpRequest& request, pb::Message* message,
                              std::initializer_list<absl::string_view> path_bound) {
  // Sorted, so that the first bad parameter reported does not depend on hashing.
  std::vector<std::pair<std::string, std::string>> params(request.query.begin(),
                                                          request.query.end());
  std::sort(params.begin(), params.end());
  for (const auto& [name, value] : params) {
    const std::string what = absl::StrCat("query parameter '", name, "'");
    if (std::find(path_bound.begin(), path_bound.end(), name) != path_bound.end()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": given by the path"));
    }
    if (absl::Status s = SetFieldFromText(name, value, what, message); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

HttpResponse ProtoResponse(const pb::Message& message, int status) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = false;
  std::string json;
  const auto printed = pb::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) {
    return ErrorResponse(absl::InternalError(absl::StrCat(
        "cannot encode ", message.GetTypeName(), " as JSON: ", std::string(printed.message()))));
  }
  return JsonResponse(std::move(json), status);
}

}  // namespace recplat::http
