// `_model_class` dispatch and the /store_object(s) body parsers. The per-class field parsers live
// in objects_catalog.cc, objects_events.cc and config_object.cc.
#include "frontends/http_rest/ecoseller/objects.h"

#include <array>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/internal/object_parsers.h"
#include "frontends/http_rest/json_fields.h"

namespace recplat::http::ecoseller {
namespace {

using internal::FieldError;
using internal::ObjectReader;
using nlohmann::json;

using ParseFn = absl::StatusOr<StoreObject> (*)(const ObjectReader&, absl::Time);

// Adapts a per-class parser (with or without `now`) to ParseFn.
template <auto kParse>
absl::StatusOr<StoreObject> Adapt(const ObjectReader& reader, absl::Time now) {
  auto parsed = [&] {
    if constexpr (std::is_invocable_v<decltype(kParse), const ObjectReader&, absl::Time>) {
      return kParse(reader, now);
    } else {
      return kParse(reader);
    }
  }();
  if (!parsed.ok()) {
    return std::move(parsed).status();
  }
  return StoreObject(std::move(parsed).value());
}

struct ModelClass {
  const char* name;
  ParseFn parse;
};

// In StoreObject's alternative order, so kModelClasses[object.index()] names an object.
constexpr std::array<ModelClass, 16> kModelClasses = {{
    {"Attribute", &Adapt<internal::ParseAttribute>},
    {"AttributeType", &Adapt<internal::ParseAttributeType>},
    {"Category", &Adapt<internal::ParseCategory>},
    {"Config", &Adapt<internal::ParseConfigObject>},
    {"Order", &Adapt<internal::ParseOrder>},
    {"Product", &Adapt<internal::ParseProduct>},
    {"ProductAddToCart", &Adapt<internal::ParseProductAddToCart>},
    {"ProductDetailEnter", &Adapt<internal::ParseProductDetailEnter>},
    {"ProductDetailLeave", &Adapt<internal::ParseProductDetailLeave>},
    {"ProductPrice", &Adapt<internal::ParseProductPrice>},
    {"ProductTranslation", &Adapt<internal::ParseProductTranslation>},
    {"ProductType", &Adapt<internal::ParseProductType>},
    {"ProductVariant", &Adapt<internal::ParseProductVariant>},
    {"RecommendationView", &Adapt<internal::ParseRecommendationView>},
    {"Review", &Adapt<internal::ParseReview>},
    {"TrainerQueueItem", &Adapt<internal::ParseTrainerQueueItem>},
}};
static_assert(std::variant_size_v<StoreObject> == kModelClasses.size());

absl::StatusOr<StoreObject> ParseAt(const json& object, const std::string& path, absl::Time now) {
  if (!object.is_object()) {
    return FieldError(path, internal::TypeMismatch("an object", object));
  }
  const ObjectReader reader(object, path);
  const json* model_class = reader.Find("_model_class");
  const std::string class_path = reader.PathOf("_model_class");
  if (model_class == nullptr) {
    return FieldError(class_path, "required");
  }
  if (!model_class->is_string()) {
    return FieldError(class_path, internal::TypeMismatch("a string", *model_class));
  }
  const std::string& name = model_class->get_ref<const std::string&>();
  for (const ModelClass& candidate : kModelClasses) {
    if (name == candidate.name) {
      // No nlohmann call below throws on a type-checked value; the catch keeps that promise
      // (INTERNAL, which the fuzz property reports as a bug) rather than crashing the server.
      try {
        return candidate.parse(reader, now);
      } catch (const nlohmann::json::exception& e) {
        return absl::InternalError(absl::StrCat("ecoseller object parser threw: ", e.what()));
      }
    }
  }
  return FieldError(class_path,
                    absl::StrCat("unknown model class ", internal::QuoteForMessage(name)));
}

}  // namespace

absl::string_view ModelClassName(const StoreObject& object) {
  return kModelClasses[object.index()].name;
}

const std::vector<std::string>& ModelClassNames() {
  static const std::vector<std::string>* const kNames = [] {
    auto* names = new std::vector<std::string>();
    for (const ModelClass& model_class : kModelClasses) {
      names->emplace_back(model_class.name);
    }
    return names;
  }();
  return *kNames;
}

absl::StatusOr<StoreObject> ParseStoreObject(const json& object, absl::Time now) {
  return ParseAt(object, "", internal::TruncateToMicros(now));
}

absl::StatusOr<StoreObject> ParseStoreObjectBody(absl::string_view body, absl::Time now) {
  RECPLAT_ASSIGN_OR_RETURN(const json object,
                           internal::ParseJsonText(body, kMaxStoreBodyBytes, kMaxJsonDepth));
  return ParseStoreObject(object, now);
}

absl::StatusOr<std::vector<StoreObject>> ParseStoreObjects(absl::string_view body, absl::Time now) {
  RECPLAT_ASSIGN_OR_RETURN(const json objects,
                           internal::ParseJsonText(body, kMaxStoreBodyBytes, kMaxJsonDepth));
  if (!objects.is_array()) {
    return FieldError("", internal::TypeMismatch("a JSON array of objects", objects));
  }
  now = internal::TruncateToMicros(now);
  std::vector<StoreObject> parsed;
  parsed.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    RECPLAT_ASSIGN_OR_RETURN(StoreObject object,
                             ParseAt(objects[i], internal::IndexPath("objects", i), now));
    parsed.push_back(std::move(object));
  }
  return parsed;
}

}  // namespace recplat::http::ecoseller
