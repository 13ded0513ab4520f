#include "frontends/http_rest/eosc/eosc_codec.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/utf8.h"
#include "frontends/http_rest/eosc/eosc_text.h"
#include "frontends/http_rest/json_fields.h"

namespace recplat::http::eosc {
namespace {

using nlohmann::json;

constexpr size_t kMaxTitleBytes = 4 << 10;
constexpr size_t kMaxTextBytes = 256 << 10;
constexpr size_t kMaxValueBytes = 256;

void AddIds(const char* prefix, const std::vector<int64_t>& ids, std::vector<std::string>* out) {
  for (int64_t id : ids) out->push_back(absl::StrCat(prefix, id));
}

std::vector<std::string> FieldLabels(const Service& s) {
  std::vector<std::string> out;
  AddIds("c:", s.categories, &out);
  for (const std::string& c : s.countries) {
    out.push_back(absl::StrCat("country:", common::TruncateUtf8(c, 64)));
  }
  AddIds("provider:", s.providers, &out);
  AddIds("platform:", s.platforms, &out);
  AddIds("domain:", s.scientific_domains, &out);
  AddIds("target_user:", s.target_users, &out);
  if (s.resource_organisation.has_value())
    out.push_back(absl::StrCat("org:", *s.resource_organisation));
  AddIds("access_mode:", s.access_modes, &out);
  AddIds("access_type:", s.access_types, &out);
  AddIds("trl:", s.trls, &out);
  AddIds("lcs:", s.life_cycle_statuses, &out);
  AddIds("research_step:", s.research_steps, &out);
  return out;
}

json IdsJson(const std::vector<int64_t>& ids) { return json(ids); }

v1::WriteOp PutDocument(const std::string& tenant, const char* collection, std::string key,
                        std::string body, bool deleted = false) {
  v1::WriteOp op;
  v1::Document* d = op.mutable_put_document();
  d->set_tenant(tenant);
  d->set_collection(collection);
  d->set_key(std::move(key));
  d->set_body(std::move(body));
  d->set_deleted(deleted);
  return op;
}

int64_t TimestampMs(const std::string& text, int64_t now_ms) {
  absl::StatusOr<absl::Time> t = json_fields::ParseDateTime(text, "timestamp");
  return t.ok() ? absl::ToUnixMillis(*t) : now_ms;
}

const char* LongExplanation(absl::string_view engine) {
  if (engine == "NCF") {
    return "This service has been selected based on historical orders of the given user and "
           "similar orders of similar users";
  }
  if (engine == "RL") {
    return "This service has been selected based on the analysis of historical services orders "
           "and users activity patterns.";
  }
  return "This service has been sorted randomly.";
}

const char* ShortExplanation(absl::string_view engine) {
  if (engine == "NCF") return "This service has been selected based on historical orders.";
  if (engine == "RL") return "This service has been selected based on the users activity.";
  return "Random service.";
}

}  // namespace

std::vector<std::string> ServiceLabels(const Service& s, size_t max_labels) {
  std::vector<std::string> out = FieldLabels(s);
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> unique;
  for (std::string& l : out) {
    if (unique.size() < max_labels && seen.insert(l).second) unique.push_back(std::move(l));
  }
  if (unique.size() < max_labels) {
    const std::string text = absl::StrCat(s.name, " ", s.tagline, " ", s.description);
    for (const std::string& w : SearchWords(text, max_labels - unique.size())) {
      unique.push_back(absl::StrCat("w:", w));
    }
  }
  return unique;
}

v1::WriteRequest EncodeDump(const Dump& dump, const ExistingState& existing,
                            const std::string& tenant, int64_t now_ms) {
  v1::WriteRequest w;
  w.set_wait_applied(true);
  absl::flat_hash_set<std::string> services;
  for (const Service& s : dump.services) {
    const std::string id = absl::StrCat(s.id);
    if (!services.insert(id).second) continue;  // A repeated id: the first wins.
    v1::Item* item = w.add_ops()->mutable_upsert_item();
    item->set_tenant(tenant);
    item->set_id(id);
    item->set_title(common::TruncateUtf8(s.name, kMaxTitleBytes));
    item->set_text(
        common::TruncateUtf8(absl::StrCat(s.description, "\n", s.tagline), kMaxTextBytes));
    for (std::string& label : ServiceLabels(s)) item->add_categories(std::move(label));
    item->set_available(s.status.empty() || s.status == "published" || s.status == "unverified");
  }
  for (const std::string& id : existing.item_ids) {
    if (services.contains(id)) continue;
    v1::ItemRef* ref = w.add_ops()->mutable_delete_item();
    ref->set_tenant(tenant);
    ref->set_id(id);
  }
  absl::flat_hash_set<std::string> users, aais;
  std::vector<const DumpUser*> kept;
  for (const DumpUser& u : dump.users) {
    if (users.insert(absl::StrCat(u.id)).second) kept.push_back(&u);
    if (u.aai_uid.has_value() && !u.aai_uid->empty()) aais.insert(*u.aai_uid);
  }
  for (const std::string& key : existing.user_keys) {
    if (!users.contains(key))
      w.mutable_ops()->Add(PutDocument(tenant, kUsersCollection, key, "", true));
  }
  for (const std::string& key : existing.aai_keys) {
    if (!aais.contains(key))
      w.mutable_ops()->Add(PutDocument(tenant, kAaiCollection, key, "", true));
  }
  for (const DumpUser* u : kept) {
    const std::string id = absl::StrCat(u->id);
    json record = {{"id", u->id},
                   {"scientific_domains", IdsJson(u->scientific_domains)},
                   {"categories", IdsJson(u->categories)},
                   {"accessed_services", IdsJson(u->accessed_services)}};
    if (u->aai_uid.has_value()) record["aai_uid"] = *u->aai_uid;
    w.mutable_ops()->Add(PutDocument(tenant, kUsersCollection, id,
                                     record.dump(-1, ' ', false, json::error_handler_t::replace)));
    if (u->aai_uid.has_value() && !u->aai_uid->empty() && u->aai_uid->size() <= 512) {
      w.mutable_ops()->Add(PutDocument(tenant, kAaiCollection, *u->aai_uid, id));
    }
    v1::User* user = w.add_ops()->mutable_upsert_user();
    user->set_tenant(tenant);
    user->set_id(id);
    (*user->mutable_attributes())["eosc"] = "user";
    const size_t n = u->accessed_services.size();
    for (size_t i = 0; i < n; ++i) {
      const std::string service = absl::StrCat(u->accessed_services[i]);
      // Only services of this dump exist in the catalogue after it.
      if (!services.contains(service)) continue;
      v1::Event* e = w.add_ops()->mutable_event();
      e->set_tenant(tenant);
      e->set_user_id(id);
      e->set_item_id(service);
      e->set_type(kOrderEvent);
      e->set_timestamp_ms(now_ms - static_cast<int64_t>(n - i));
      e->set_event_id(absl::StrCat("accessed:", id, ":", service));
    }
  }
  return w;
}

std::vector<int64_t> AccessedServices(const std::string& record) {
  std::vector<int64_t> out;
  if (record.empty()) return out;
  const json parsed = json::parse(record, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return out;
  const auto it = parsed.find("accessed_services");
  if (it == parsed.end() || !it->is_array()) return out;
  for (const json& id : *it) {
    if (id.is_number_integer()) out.push_back(id.get<int64_t>());
  }
  return out;
}

int PanelK(const std::string& panel_id, std::string* normalized) {
  if (panel_id.empty() || panel_id == "v1" || panel_id == "service") {
    *normalized = "v1";
    return 3;
  }
  if (panel_id == "v2") {
    *normalized = "v2";
    return 2;
  }
  return 0;
}

v1::CatalogQuery SearchQuery(const SearchData& sd) {
  v1::CatalogQuery q;
  auto clause = [&q](const char* prefix, const std::vector<int64_t>& ids) {
    if (ids.empty()) return;
    v1::LabelsAnyOf* c = q.add_label_clauses();
    for (int64_t id : ids) c->add_labels(absl::StrCat(prefix, id));
  };
  clause("c:", sd.categories);
  if (!sd.geographical_availabilities.empty()) {
    v1::LabelsAnyOf* c = q.add_label_clauses();
    for (const std::string& code : sd.geographical_availabilities) {
      c->add_labels(absl::StrCat("country:", common::TruncateUtf8(code, 64)));
    }
  }
  clause("provider:", sd.providers);
  clause("platform:", sd.related_platforms);
  clause("domain:", sd.scientific_domains);
  clause("target_user:", sd.target_users);
  if (!absl::StripAsciiWhitespace(sd.q).empty()) {
    v1::LabelsAnyOf* c = q.add_label_clauses();
    for (const std::string& w : SearchWords(sd.q, 1000)) c->add_labels(absl::StrCat("w:", w));
    // Only stop words: Mongo's $text matches nothing.
    if (c->labels_size() == 0) c->add_labels("w:");
  }
  return q;
}

bool IsRankingEngine(const std::optional<std::string>& engine_version) {
  return engine_version.has_value() && absl::EndsWithIgnoreCase(*engine_version, "Ranking");
}

std::vector<std::string> EngineChain(const std::optional<std::string>& engine_version,
                                     const std::string& default_engine,
                                     const std::vector<std::string>& engines) {
  std::vector<std::string> chain;
  auto add = [&](absl::string_view name) {
    for (const std::string& e : engines) {
      if (absl::EqualsIgnoreCase(e, name) &&
          std::find(chain.begin(), chain.end(), e) == chain.end()) {
        chain.push_back(e);
      }
    }
  };
  if (engine_version.has_value()) {
    absl::string_view v = *engine_version;
    if (absl::EndsWithIgnoreCase(v, "Ranking")) v.remove_suffix(7);
    add(v);
  }
  add(default_engine);
  for (const std::string& e : engines) add(e);
  return chain;
}

json EncodeRecommendations(const RecommendationContext& request, const std::string& panel,
                           const v1::RecommendResponse& response, const std::string& random_engine,
                           bool ranking) {
  json ids = json::array();
  for (const v1::RecommendedItem& item : response.items()) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(item.item_id(), &id)) continue;  // Only numeric ids are written.
    ids.push_back(id);
  }
  if (!request.head_style) return json{{"recommendations", ids}};
  const std::string engine = response.scoring_model();
  const bool random = engine == random_engine;
  const std::string base = random ? "Random" : engine;
  json scores = json::array(), longs = json::array(), shorts = json::array();
  const double n = std::max(1, response.scored_candidates());
  for (const v1::RecommendedItem& item : response.items()) {
    double score = random ? 1.0 / n : item.score();
    if (ranking && random) score = std::round(score * 1000) / 1000;
    scores.push_back(score);
    longs.push_back(LongExplanation(base));
    shorts.push_back(ShortExplanation(base));
  }
  return json{
      {"panel_id", panel},     {"recommendations", ids},
      {"explanations", longs}, {"explanations_short", shorts},
      {"scores", scores},      {"engine_version", ranking ? absl::StrCat(base, "Ranking") : base}};
}

std::string ActionKey(const UserAction& a) {
  return absl::StrCat(a.source_visit_id.empty() ? "-" : a.source_visit_id, "/",
                      common::TruncateUtf8(a.target_visit_id, 200));
}

v1::WriteRequest EncodeUserAction(const UserAction& a, const json& body, const std::string& user_id,
                                  const std::string& tenant, int64_t now_ms, bool with_event) {
  v1::WriteRequest w;
  w.mutable_ops()->Add(PutDocument(tenant, kActionsCollection,
                                   common::TruncateUtf8(ActionKey(a), 512),
                                   body.dump(-1, ' ', false, json::error_handler_t::replace)));
  if (with_event && a.root_service_id.has_value()) {
    v1::Event* e = w.add_ops()->mutable_event();
    e->set_tenant(tenant);
    e->set_user_id(user_id);
    e->set_session_id(common::TruncateUtf8(a.unique_id, 256));
    e->set_item_id(absl::StrCat(*a.root_service_id));
    e->set_type(kClickEvent);
    e->set_timestamp_ms(TimestampMs(a.timestamp, now_ms));
    e->set_event_id(common::TruncateUtf8(absl::StrCat("action:", ActionKey(a)), 256));
    auto& ctx = *e->mutable_context();
    auto put = [&ctx](const char* key, const std::string& value) {
      if (!value.empty()) ctx[key] = common::TruncateUtf8(value, kMaxValueBytes);
    };
    put("root_type", a.root_type);
    put("panel_id", a.root_panel_id);
    put("source_page_id", a.source_page_id);
    put("target_page_id", a.target_page_id);
    put("source_visit_id", a.source_visit_id);
    put("target_visit_id", a.target_visit_id);
    put("action_type", a.action_type);
    ctx["order"] = a.action_order ? "true" : "false";
  }
  return w;
}

}  // namespace recplat::http::eosc
