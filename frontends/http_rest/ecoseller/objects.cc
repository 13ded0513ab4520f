// `_model_class` dispatch and the /store_object(s) body parsers. The per-class field parsers live
// in objects_catalog.cc, objects_events.cc and config_object.cc.
#include "frontends/http_rest/ecoseller/objects.h"

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
using nlohmann::json;

using Classes = json_fields::TaggedUnion<StoreObject, absl::Time>;

// The `_model_class`es, in StoreObject's alternative order (sorted by name).
const Classes& ModelClasses() {
  static const Classes* const kClasses = new Classes(
      "_model_class", "model class",
      {{"Attribute", &Classes::Of<internal::ParseAttribute>},
       {"AttributeType", &Classes::Of<internal::ParseAttributeType>},
       {"Category", &Classes::Of<internal::ParseCategory>},
       {"Config", &Classes::Of<internal::ParseConfigObject>},
       {"Order", &Classes::Of<internal::ParseOrder>},
       {"Product", &Classes::Of<internal::ParseProduct>},
       {"ProductAddToCart", &Classes::Of<internal::ParseProductAddToCart>},
       {"ProductDetailEnter", &Classes::Of<internal::ParseProductDetailEnter>},
       {"ProductDetailLeave", &Classes::Of<internal::ParseProductDetailLeave>},
       {"ProductPrice", &Classes::Of<internal::ParseProductPrice>},
       {"ProductTranslation", &Classes::Of<internal::ParseProductTranslation>},
       {"ProductType", &Classes::Of<internal::ParseProductType>},
       {"ProductVariant", &Classes::Of<internal::ParseProductVariant>},
       {"RecommendationView", &Classes::Of<internal::ParseRecommendationView>},
       {"Review", &Classes::Of<internal::ParseReview>},
       {"TrainerQueueItem", &Classes::Of<internal::ParseTrainerQueueItem>}});
  return *kClasses;
}

}  // namespace

absl::string_view ModelClassName(const StoreObject& object) {
  return ModelClasses().TagOf(object);
}

const std::vector<std::string>& ModelClassNames() { return ModelClasses().Tags(); }

absl::StatusOr<StoreObject> ParseStoreObject(const json& object, absl::Time now) {
  return ModelClasses().Parse(object, "", internal::TruncateToMicros(now));
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
                             ModelClasses().Parse(objects[i], internal::IndexPath("objects", i), now));
    parsed.push_back(std::move(object));
  }
  return parsed;
}

}  // namespace recplat::http::ecoseller
