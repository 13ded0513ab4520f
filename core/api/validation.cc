#include "core/api/validation.h"

#include <cctype>
#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"

namespace recplat::api {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status CheckText(absl::string_view value, size_t max, absl::string_view field) {
  if (value.size() > max) {
    return Invalid(field, absl::StrCat("too long (", value.size(), " bytes, at most ", max, ")"));
  }
  return absl::OkStatus();
}

bool HasControl(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

absl::Status CheckName(absl::string_view name, size_t max, absl::string_view field) {
  if (name.empty()) return Invalid(field, "empty name");
  if (HasControl(name)) return Invalid(field, "control characters are not allowed");
  return CheckText(name, max, field);
}

}  // namespace

absl::Status RenameWriteOp(const absl::Status& error, absl::Span<const std::string> op_names) {
  const absl::string_view message = error.message();
  if (!absl::StartsWith(message, "ops[")) return error;
  const size_t close = message.find(']');
  size_t op = 0;
  if (close == absl::string_view::npos || !absl::SimpleAtoi(message.substr(4, close - 4), &op) ||
      op >= op_names.size()) {
    return error;
  }
  const size_t colon = message.find(": ", close);
  const absl::string_view problem =
      colon == absl::string_view::npos ? message.substr(close + 1) : message.substr(colon + 2);
  return absl::Status(error.code(), absl::StrCat(op_names[op], ": ", problem));
}

absl::Status NormalizeTenant(const std::string& default_tenant, std::string* tenant,
                             absl::string_view field) {
  if (tenant->empty()) {
    *tenant = default_tenant;
    return absl::OkStatus();
  }
  if (tenant->size() > Limits::kMaxTenantBytes) {
    return Invalid(field, absl::StrCat("too long (at most ", Limits::kMaxTenantBytes, " bytes)"));
  }
  for (char c : *tenant) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return Invalid(field, absl::StrCat("'", *tenant, "' may only contain [A-Za-z0-9_.-]"));
    }
  }
  if (*tenant == "." || *tenant == "..") return Invalid(field, "'.' and '..' are not tenants");
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return Invalid(field, "required");
  if (id.size() > Limits::kMaxIdBytes) {
    return Invalid(field, absl::StrCat("too long (", id.size(), " bytes, at most ",
                                       Limits::kMaxIdBytes, ")"));
  }
  if (HasControl(id)) return Invalid(field, "control characters are not allowed");
  return absl::OkStatus();
}

absl::Status CheckBatchSize(int size, int max_batch, absl::string_view field) {
  if (size == 0) return Invalid(field, "empty batch");
  if (size > max_batch) {
    return Invalid(field, absl::StrCat("batch of ", size, " exceeds the limit of ", max_batch));
  }
  return absl::OkStatus();
}

absl::Status NormalizeItem(const ValidationOptions& options, v1::Item* item, absl::string_view field) {
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, item->mutable_tenant(),
                                          absl::StrCat(field, ".tenant")));
  RECPLAT_RETURN_IF_ERROR(CheckId(item->id(), absl::StrCat(field, ".id")));
  RECPLAT_RETURN_IF_ERROR(
      CheckText(item->title(), Limits::kMaxTitleBytes, absl::StrCat(field, ".title")));
  RECPLAT_RETURN_IF_ERROR(
      CheckText(item->text(), Limits::kMaxTextBytes, absl::StrCat(field, ".text")));
  if (item->categories_size() > Limits::kMaxCategories) {
    return Invalid(absl::StrCat(field, ".categories"),
                   absl::StrCat("at most ", Limits::kMaxCategories, " categories"));
  }
  for (int i = 0; i < item->categories_size(); ++i) {
    RECPLAT_RETURN_IF_ERROR(CheckName(item->categories(i), Limits::kMaxAttributeValueBytes,
                                      absl::StrCat(field, ".categories[", i, "]")));
  }
  if (item->numeric_attributes_size() + item->categorical_attributes_size() >
      Limits::kMaxAttributes) {
    return Invalid(field, absl::StrCat("at most ", Limits::kMaxAttributes, " attributes"));
  }
  for (const auto& [name, value] : item->numeric_attributes()) {
    const std::string f = absl::StrCat(field, ".numeric_attributes[", name, "]");
    RECPLAT_RETURN_IF_ERROR(CheckName(name, Limits::kMaxAttributeNameBytes, f));
    if (!std::isfinite(value)) return Invalid(f, "must be finite");
  }
  for (const auto& [name, value] : item->categorical_attributes()) {
    const std::string f = absl::StrCat(field, ".categorical_attributes[", name, "]");
    RECPLAT_RETURN_IF_ERROR(CheckName(name, Limits::kMaxAttributeNameBytes, f));
    RECPLAT_RETURN_IF_ERROR(CheckText(value, Limits::kMaxAttributeValueBytes, f));
  }
  if (item->published_at_ms() < 0) {
    return Invalid(absl::StrCat(field, ".published_at_ms"), "must not be negative");
  }
  if (item->has_recommendation_weight() &&
      (!std::isfinite(item->recommendation_weight()) || item->recommendation_weight() < 0)) {
    return Invalid(absl::StrCat(field, ".recommendation_weight"), "must be finite and >= 0");
  }
  // Output-only fields are ignored on input.
  item->clear_index();
  item->clear_updated_at_ms();
  item->clear_event_counts();
  item->clear_counters();
  item->clear_live();
  return absl::OkStatus();
}

absl::Status NormalizeUser(const ValidationOptions& options, v1::User* user, absl::string_view field) {
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, user->mutable_tenant(),
                                          absl::StrCat(field, ".tenant")));
  RECPLAT_RETURN_IF_ERROR(CheckId(user->id(), absl::StrCat(field, ".id")));
  if (user->attributes_size() > Limits::kMaxAttributes) {
    return Invalid(absl::StrCat(field, ".attributes"),
                   absl::StrCat("at most ", Limits::kMaxAttributes, " attributes"));
  }
  for (const auto& [name, value] : user->attributes()) {
    const std::string f = absl::StrCat(field, ".attributes[", name, "]");
    RECPLAT_RETURN_IF_ERROR(CheckName(name, Limits::kMaxAttributeNameBytes, f));
    RECPLAT_RETURN_IF_ERROR(CheckText(value, Limits::kMaxAttributeValueBytes, f));
  }
  user->clear_index();
  user->clear_created_at_ms();
  user->clear_event_count();
  return absl::OkStatus();
}

absl::Status NormalizeEvent(const ValidationOptions& options, int64_t now_ms, v1::Event* event,
                            absl::string_view field) {
  const std::set<std::string>& event_types = options.event_types;
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, event->mutable_tenant(),
                                          absl::StrCat(field, ".tenant")));
  if (event->user_id().empty() && event->session_id().empty()) {
    return Invalid(field, "user_id or session_id is required");
  }
  if (!event->user_id().empty()) {
    RECPLAT_RETURN_IF_ERROR(CheckId(event->user_id(), absl::StrCat(field, ".user_id")));
  }
  if (!event->session_id().empty()) {
    RECPLAT_RETURN_IF_ERROR(CheckId(event->session_id(), absl::StrCat(field, ".session_id")));
  }
  RECPLAT_RETURN_IF_ERROR(CheckId(event->item_id(), absl::StrCat(field, ".item_id")));
  if (!event_types.contains(event->type())) {
    std::vector<std::string> names;
    for (const std::string& name : event_types) names.push_back(name);
    return Invalid(absl::StrCat(field, ".type"),
                   absl::StrCat("unknown event type '", event->type(), "' (configured: ",
                                absl::StrJoin(names, ", "), ")"));
  }
  if (!std::isfinite(event->value())) {
    return Invalid(absl::StrCat(field, ".value"), "must be finite");
  }
  if (event->timestamp_ms() < 0) {
    return Invalid(absl::StrCat(field, ".timestamp_ms"), "must not be negative");
  }
  if (event->timestamp_ms() == 0) event->set_timestamp_ms(now_ms);
  if (event->context_size() > Limits::kMaxContextEntries) {
    return Invalid(absl::StrCat(field, ".context"),
                   absl::StrCat("at most ", Limits::kMaxContextEntries, " entries"));
  }
  for (const auto& [key, value] : event->context()) {
    const std::string f = absl::StrCat(field, ".context[", key, "]");
    RECPLAT_RETURN_IF_ERROR(CheckName(key, Limits::kMaxAttributeNameBytes, f));
    RECPLAT_RETURN_IF_ERROR(CheckText(value, Limits::kMaxAttributeValueBytes, f));
  }
  return absl::OkStatus();
}

absl::Status NormalizeRecommend(const ValidationOptions& options, v1::RecommendRequest* request) {
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, request->mutable_tenant(), "tenant"));
  if (request->k() < 1) return Invalid("k", absl::StrCat("must be >= 1, got ", request->k()));
  if (request->min_k() < 0 || request->min_k() > request->k()) {
    return Invalid("min_k", absl::StrCat("must be in [0, k=", request->k(), "], got ",
                                         request->min_k()));
  }
  if (!request->user_id().empty()) RECPLAT_RETURN_IF_ERROR(CheckId(request->user_id(), "user_id"));
  if (!request->session_id().empty()) {
    RECPLAT_RETURN_IF_ERROR(CheckId(request->session_id(), "session_id"));
  }
  auto check_list = [](const auto& ids, int max, absl::string_view field) -> absl::Status {
    if (ids.size() > max) {
      return Invalid(field, absl::StrCat(ids.size(), " ids exceed the limit of ", max));
    }
    for (int i = 0; i < ids.size(); ++i) {
      RECPLAT_RETURN_IF_ERROR(CheckId(ids[i], absl::StrCat(field, "[", i, "]")));
    }
    return absl::OkStatus();
  };
  RECPLAT_RETURN_IF_ERROR(check_list(request->anchor_item_ids(), Limits::kMaxAnchors,
                                     "anchor_item_ids"));
  RECPLAT_RETURN_IF_ERROR(check_list(request->candidate_item_ids(), Limits::kMaxCandidates,
                                     "candidate_item_ids"));
  RECPLAT_RETURN_IF_ERROR(check_list(request->exclude_item_ids(), Limits::kMaxCandidates,
                                     "exclude_item_ids"));
  if (request->context_size() > Limits::kMaxContextEntries) {
    return Invalid("context", absl::StrCat("at most ", Limits::kMaxContextEntries, " entries"));
  }
  if (!v1::AnchorChoice_IsValid(request->anchor_choice())) {
    return Invalid("anchor_choice", absl::StrCat("unknown value ", request->anchor_choice()));
  }
  return CheckCatalogQuery(request->query(), "query");
}

absl::Status CheckCatalogQuery(const v1::CatalogQuery& query, absl::string_view field) {
  if (query.categories_size() > Limits::kMaxCategories) {
    return Invalid(absl::StrCat(field, ".categories"),
                   absl::StrCat("at most ", Limits::kMaxCategories, " categories"));
  }
  for (int i = 0; i < query.categories_size(); ++i) {
    RECPLAT_RETURN_IF_ERROR(CheckText(query.categories(i), Limits::kMaxAttributeValueBytes,
                                      absl::StrCat(field, ".categories[", i, "]")));
  }
  if (query.numeric_size() > Limits::kMaxQueryClauses ||
      query.categorical_size() > Limits::kMaxQueryClauses) {
    return Invalid(field, absl::StrCat("at most ", Limits::kMaxQueryClauses,
                                       " numeric and as many categorical clauses"));
  }
  for (int i = 0; i < query.numeric_size(); ++i) {
    const v1::NumericRange& r = query.numeric(i);
    const std::string f = absl::StrCat(field, ".numeric[", i, "]");
    RECPLAT_RETURN_IF_ERROR(
        CheckName(r.attribute(), Limits::kMaxAttributeNameBytes, absl::StrCat(f, ".attribute")));
    if ((r.has_gt() && std::isnan(r.gt())) || (r.has_ge() && std::isnan(r.ge())) ||
        (r.has_lt() && std::isnan(r.lt())) || (r.has_le() && std::isnan(r.le()))) {
      return Invalid(f, "bounds must be numbers (NaN given)");
    }
  }
  for (int i = 0; i < query.categorical_size(); ++i) {
    const v1::CategoricalIn& in = query.categorical(i);
    const std::string f = absl::StrCat(field, ".categorical[", i, "]");
    RECPLAT_RETURN_IF_ERROR(
        CheckName(in.attribute(), Limits::kMaxAttributeNameBytes, absl::StrCat(f, ".attribute")));
    if (in.values_size() == 0 || in.values_size() > Limits::kMaxQueryValues) {
      return Invalid(absl::StrCat(f, ".values"),
                     absl::StrCat("1..", Limits::kMaxQueryValues, " values, got ", in.values_size()));
    }
    for (int j = 0; j < in.values_size(); ++j) {
      RECPLAT_RETURN_IF_ERROR(CheckText(in.values(j), Limits::kMaxAttributeValueBytes,
                                        absl::StrCat(f, ".values[", j, "]")));
    }
  }
  if (query.label_clauses_size() > Limits::kMaxQueryClauses) {
    return Invalid(absl::StrCat(field, ".label_clauses"),
                   absl::StrCat("at most ", Limits::kMaxQueryClauses, " label clauses"));
  }
  for (int i = 0; i < query.label_clauses_size(); ++i) {
    const v1::LabelsAnyOf& clause = query.label_clauses(i);
    const std::string f = absl::StrCat(field, ".label_clauses[", i, "].labels");
    if (clause.labels_size() == 0 || clause.labels_size() > Limits::kMaxQueryValues) {
      return Invalid(f, absl::StrCat("1..", Limits::kMaxQueryValues, " labels, got ",
                                     clause.labels_size()));
    }
    for (int j = 0; j < clause.labels_size(); ++j) {
      RECPLAT_RETURN_IF_ERROR(CheckText(clause.labels(j), Limits::kMaxAttributeValueBytes,
                                        absl::StrCat(f, "[", j, "]")));
    }
  }
  return absl::OkStatus();
}

absl::Status NormalizeScanServed(const ValidationOptions& options,
                                 v1::ScanServedRequest* request) {
  RECPLAT_RETURN_IF_ERROR(
      NormalizeTenant(options.default_tenant, request->mutable_tenant(), "tenant"));
  if (request->from_ms() < 0) {
    return Invalid("from_ms", absl::StrCat("must be >= 0, got ", request->from_ms()));
  }
  if (request->to_ms() < 0 || (request->to_ms() != 0 && request->to_ms() < request->from_ms())) {
    return Invalid("to_ms", absl::StrCat("must be 0 (no upper bound) or >= from_ms=",
                                         request->from_ms(), ", got ", request->to_ms()));
  }
  if (request->limit() < 0 || request->limit() > Limits::kMaxScanLimit) {
    return Invalid("limit", absl::StrCat("must be in [0, ", Limits::kMaxScanLimit, "], got ",
                                         request->limit()));
  }
  if (request->limit() == 0) request->set_limit(Limits::kDefaultScanServedLimit);
  return CheckText(request->surface(), Limits::kMaxAttributeNameBytes, "surface");
}

namespace {

// [from_ms, to_ms], both inclusive and non-negative.
absl::Status CheckClosedRange(int64_t from_ms, int64_t to_ms) {
  if (from_ms < 0) return Invalid("from_ms", absl::StrCat("must be >= 0, got ", from_ms));
  if (to_ms < from_ms) {
    return Invalid("to_ms", absl::StrCat("must be >= from_ms=", from_ms, ", got ", to_ms));
  }
  return absl::OkStatus();
}

absl::Status CheckModelNames(const google::protobuf::RepeatedPtrField<std::string>& models) {
  if (models.size() > Limits::kMaxMonitoredModels) {
    return Invalid("models", absl::StrCat(models.size(), " names exceed the limit of ",
                                          Limits::kMaxMonitoredModels));
  }
  for (int i = 0; i < models.size(); ++i) {
    RECPLAT_RETURN_IF_ERROR(
        CheckName(models[i], Limits::kMaxAttributeNameBytes, absl::StrCat("models[", i, "]")));
  }
  return absl::OkStatus();
}

// An optional context key: empty takes `fallback`.
absl::Status NormalizeContextKey(std::string* key, absl::string_view fallback,
                                 absl::string_view field) {
  if (key->empty()) {
    *key = std::string(fallback);
    return absl::OkStatus();
  }
  return CheckName(*key, Limits::kMaxAttributeNameBytes, field);
}

}  // namespace

absl::Status NormalizeEvaluateServed(const ValidationOptions& options,
                                     v1::EvaluateServedRequest* request) {
  RECPLAT_RETURN_IF_ERROR(
      NormalizeTenant(options.default_tenant, request->mutable_tenant(), "tenant"));
  RECPLAT_RETURN_IF_ERROR(CheckClosedRange(request->from_ms(), request->to_ms()));
  if (request->k() < 1 || request->k() > Limits::kMaxEvaluateK) {
    return Invalid("k", absl::StrCat("must be in [1, ", Limits::kMaxEvaluateK, "], got ",
                                     request->k()));
  }
  v1::ClickAttribution* clicks = request->mutable_clicks();
  if (clicks->event_type().empty()) return Invalid("clicks.event_type", "required");
  if (!options.event_types.contains(clicks->event_type())) {
    return Invalid("clicks.event_type",
                   absl::StrCat("unknown event type '", clicks->event_type(), "'"));
  }
  RECPLAT_RETURN_IF_ERROR(
      NormalizeContextKey(clicks->mutable_model_key(), "model", "clicks.model_key"));
  RECPLAT_RETURN_IF_ERROR(
      NormalizeContextKey(clicks->mutable_surface_key(), "surface", "clicks.surface_key"));
  RECPLAT_RETURN_IF_ERROR(
      NormalizeContextKey(clicks->mutable_position_key(), "position", "clicks.position_key"));
  if (!clicks->session_key().empty()) {
    RECPLAT_RETURN_IF_ERROR(
        CheckName(clicks->session_key(), Limits::kMaxAttributeNameBytes, "clicks.session_key"));
  }
  return CheckModelNames(request->models());
}

absl::Status NormalizeModelTrainingStats(const ValidationOptions& options,
                                         v1::ModelTrainingStatsRequest* request) {
  RECPLAT_RETURN_IF_ERROR(
      NormalizeTenant(options.default_tenant, request->mutable_tenant(), "tenant"));
  RECPLAT_RETURN_IF_ERROR(CheckClosedRange(request->from_ms(), request->to_ms()));
  return CheckModelNames(request->models());
}

absl::Status NormalizeCollection(const ValidationOptions& options, std::string* tenant,
                                 const std::string& collection, absl::string_view field) {
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, tenant,
                                          absl::StrCat(field, ".tenant")));
  if (collection.empty()) return Invalid(absl::StrCat(field, ".collection"), "required");
  if (collection.size() > Limits::kMaxCollectionBytes) {
    return Invalid(absl::StrCat(field, ".collection"),
                   absl::StrCat("too long (at most ", Limits::kMaxCollectionBytes, " bytes)"));
  }
  for (char c : collection) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return Invalid(absl::StrCat(field, ".collection"),
                     absl::StrCat("'", collection, "' may only contain [A-Za-z0-9_.-]"));
    }
  }
  return absl::OkStatus();
}

absl::Status NormalizeDocument(const ValidationOptions& options, v1::Document* doc,
                               absl::string_view field) {
  RECPLAT_RETURN_IF_ERROR(NormalizeCollection(options, doc->mutable_tenant(), doc->collection(), field));
  if (doc->key().empty()) return Invalid(absl::StrCat(field, ".key"), "required");
  if (doc->key().size() > Limits::kMaxDocumentKeyBytes) {
    return Invalid(absl::StrCat(field, ".key"),
                   absl::StrCat("too long (at most ", Limits::kMaxDocumentKeyBytes, " bytes)"));
  }
  if (doc->body().size() > Limits::kMaxDocumentBodyBytes) {
    return Invalid(absl::StrCat(field, ".body"),
                   absl::StrCat("too long (", doc->body().size(), " bytes, at most ",
                                Limits::kMaxDocumentBodyBytes, ")"));
  }
  if (doc->version() < 0) {
    return Invalid(absl::StrCat(field, ".version"), "must not be negative");
  }
  if (doc->deleted()) doc->clear_body();
  doc->clear_updated_at_ms();
  return absl::OkStatus();
}

}  // namespace recplat::api

namespace recplat::api {
namespace {

absl::Status CheckFinite(double value, absl::string_view field) {
  if (!std::isfinite(value)) return Invalid(field, "must be finite");
  return absl::OkStatus();
}

absl::Status CheckRefs(int size, absl::string_view field) {
  if (size > Limits::kMaxShopRefs) {
    return Invalid(field,
                   absl::StrCat(size, " entries exceed the limit of ", Limits::kMaxShopRefs));
  }
  return absl::OkStatus();
}

absl::Status NormalizeShopKind(v1::ShopEntity* e, const std::string& f) {
  switch (e->kind_case()) {
    case v1::ShopEntity::kCategory:
      if (e->deleted()) e->mutable_category()->clear_parent_id();
      return absl::OkStatus();
    case v1::ShopEntity::kProduct: {
      v1::ShopProduct* p = e->mutable_product();
      const std::string pf = absl::StrCat(f, ".product");
      if (e->deleted()) {
        const int64_t id = p->id();
        p->Clear();
        p->set_id(id);
        return absl::OkStatus();
      }
      RECPLAT_RETURN_IF_ERROR(CheckRefs(p->translation_ids_size(), pf + ".translation_ids"));
      RECPLAT_RETURN_IF_ERROR(CheckRefs(p->variant_skus_size(), pf + ".variant_skus"));
      for (int i = 0; i < p->variant_skus_size(); ++i) {
        RECPLAT_RETURN_IF_ERROR(
            CheckId(p->variant_skus(i), absl::StrCat(pf, ".variant_skus[", i, "]")));
      }
      if (p->created_at_ms() < 0) {
        return Invalid(pf + ".created_at_ms", "must not be negative");
      }
      return absl::OkStatus();
    }
    case v1::ShopEntity::kTranslation: {
      v1::ShopTranslation* t = e->mutable_translation();
      const std::string tf = absl::StrCat(f, ".translation");
      if (e->deleted()) {
        const int64_t id = t->id();
        t->Clear();
        t->set_id(id);
        return absl::OkStatus();
      }
      RECPLAT_RETURN_IF_ERROR(CheckText(t->title(), Limits::kMaxShopTextBytes, tf + ".title"));
      return CheckText(t->language_code(), Limits::kMaxAttributeValueBytes,
                       tf + ".language_code");
    }
    case v1::ShopEntity::kVariant: {
      v1::ShopVariant* v = e->mutable_variant();
      const std::string vf = absl::StrCat(f, ".variant");
      RECPLAT_RETURN_IF_ERROR(CheckId(v->sku(), vf + ".sku"));
      if (e->deleted()) {
        std::string sku = std::move(*v->mutable_sku());
        v->Clear();
        v->set_sku(std::move(sku));
        return absl::OkStatus();
      }
      RECPLAT_RETURN_IF_ERROR(
          CheckFinite(v->recommendation_weight(), vf + ".recommendation_weight"));
      return CheckRefs(v->attribute_ids_size(), vf + ".attribute_ids");
    }
    case v1::ShopEntity::kAttribute: {
      v1::ShopAttribute* a = e->mutable_attribute();
      if (e->deleted()) {
        const int64_t id = a->id();
        a->Clear();
        a->set_id(id);
        return absl::OkStatus();
      }
      return CheckText(a->raw_value(), Limits::kMaxShopTextBytes,
                       absl::StrCat(f, ".attribute.raw_value"));
    }
    case v1::ShopEntity::kAttributeType:
      if (e->deleted()) e->mutable_attribute_type()->clear_numerical();
      return absl::OkStatus();
    case v1::ShopEntity::kPrice: {
      v1::ShopPrice* p = e->mutable_price();
      const std::string pf = absl::StrCat(f, ".price");
      if (e->deleted()) {
        const int64_t id = p->id();
        p->Clear();
        p->set_id(id);
        return absl::OkStatus();
      }
      RECPLAT_RETURN_IF_ERROR(CheckId(p->variant_sku(), pf + ".variant_sku"));
      return CheckFinite(p->price(), pf + ".price");
    }
    case v1::ShopEntity::KIND_NOT_SET:
      break;
  }
  return Invalid(f, "one of category, product, translation, variant, attribute, "
                    "attribute_type, price is required");
}

}  // namespace

absl::Status NormalizeShopEntity(const ValidationOptions& options, v1::ShopEntity* entity,
                                 absl::string_view field) {
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, entity->mutable_tenant(),
                                          absl::StrCat(field, ".tenant")));
  return NormalizeShopKind(entity, std::string(field));
}

absl::Status NormalizeCounterUpdate(const ValidationOptions& options, v1::CounterUpdate* update,
                                    absl::string_view field) {
  RECPLAT_RETURN_IF_ERROR(NormalizeTenant(options.default_tenant, update->mutable_tenant(),
                                          absl::StrCat(field, ".tenant")));
  RECPLAT_RETURN_IF_ERROR(CheckId(update->item_id(), absl::StrCat(field, ".item_id")));
  RECPLAT_RETURN_IF_ERROR(
      CheckName(update->name(), Limits::kMaxCounterNameBytes, absl::StrCat(field, ".name")));
  RECPLAT_RETURN_IF_ERROR(CheckFinite(update->add(), absl::StrCat(field, ".add")));
  if (update->has_set()) {
    RECPLAT_RETURN_IF_ERROR(CheckFinite(update->set(), absl::StrCat(field, ".set")));
  }
  if (update->has_floor()) {
    RECPLAT_RETURN_IF_ERROR(CheckFinite(update->floor(), absl::StrCat(field, ".floor")));
  }
  return absl::OkStatus();
}

}  // namespace recplat::api
