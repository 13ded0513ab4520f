#include "frontends/http_rest/eosc/eosc_schema.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace recplat::http::eosc {
namespace {

using nlohmann::json;

// Python's repr of a decoded JSON value, as jsonschema prints it in messages (shortened).
std::string Repr(const json& v) {
  std::string out;
  if (v.is_string()) {
    out = absl::StrCat("'", v.get_ref<const std::string&>(), "'");
  } else if (v.is_null()) {
    out = "None";
  } else if (v.is_boolean()) {
    out = v.get<bool>() ? "True" : "False";
  } else {
    out = v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (out.size() > 64) out = absl::StrCat(out.substr(0, 61), "...");
  return out;
}

// Collects violations the way flask-restx reports them.
class Checker {
 public:
  explicit Checker(SchemaErrors* errors) : errors_(errors) {}

  void Add(const std::string& path, std::string message) {
    errors_->emplace(path, std::move(message));
  }
  static std::string Join(absl::string_view parent, absl::string_view key) {
    return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
  }
  void TypeError(const std::string& path, const json& v, absl::string_view type) {
    Add(path, absl::StrCat(Repr(v), " is not of type '", type, "'"));
  }

  // The value of `key` in `obj` (at `path`), or null when absent. A missing required field is
  // reported under the field's own path, as flask-restx does; null is allowed only when
  // `nullable` (and then reads as absent).
  const json* Get(const json& obj, absl::string_view path, absl::string_view key, bool required,
                  bool nullable = true) {
    auto it = obj.find(std::string(key));
    if (it == obj.end()) {
      if (required) Add(Join(path, key), absl::StrCat("'", key, "' is a required property"));
      return nullptr;
    }
    if (it->is_null()) {
      if (!nullable) TypeError(Join(path, key), *it, "string");
      return nullptr;
    }
    return &*it;
  }

  void Int(const json& obj, absl::string_view path, absl::string_view key, bool required,
           std::optional<int64_t>* out) {
    const json* v = Get(obj, path, key, required);
    if (v == nullptr) return;
    if (!v->is_number_integer()) return TypeError(Join(path, key), *v, "integer");
    *out =
        v->is_number_unsigned() && v->get<uint64_t>() > INT64_MAX ? INT64_MAX : v->get<int64_t>();
  }
  void Str(const json& obj, absl::string_view path, absl::string_view key, bool required,
           std::string* out, bool nullable = true) {
    const json* v = Get(obj, path, key, required, nullable);
    if (v == nullptr) return;
    if (!v->is_string()) return TypeError(Join(path, key), *v, "string");
    *out = v->get<std::string>();
  }
  void OptStr(const json& obj, absl::string_view path, absl::string_view key,
              std::optional<std::string>* out) {
    std::string s;
    if (obj.contains(std::string(key)) && !obj[std::string(key)].is_null()) {
      Str(obj, path, key, false, &s);
      *out = std::move(s);
    }
  }
  void Bool(const json& obj, absl::string_view path, absl::string_view key, bool required,
            bool* out) {
    const json* v = Get(obj, path, key, required);
    if (v == nullptr) return;
    if (!v->is_boolean()) return TypeError(Join(path, key), *v, "boolean");
    *out = v->get<bool>();
  }
  // A list whose elements are checked by `element(value, path)`.
  template <typename F>
  bool List(const json& obj, absl::string_view path, absl::string_view key, bool required,
            F element) {
    const json* v = Get(obj, path, key, required);
    if (v == nullptr) return false;
    const std::string p = Join(path, key);
    if (!v->is_array()) {
      TypeError(p, *v, "array");
      return false;
    }
    for (size_t i = 0; i < v->size(); ++i) element((*v)[i], Join(p, std::to_string(i)));
    return true;
  }
  bool IntList(const json& obj, absl::string_view path, absl::string_view key, bool required,
               std::vector<int64_t>* out) {
    return List(obj, path, key, required, [&](const json& e, const std::string& p) {
      if (!e.is_number_integer()) return TypeError(p, e, "integer");
      out->push_back(e.get<int64_t>());
    });
  }
  void StrList(const json& obj, absl::string_view path, absl::string_view key,
               std::vector<std::string>* out) {
    List(obj, path, key, false, [&](const json& e, const std::string& p) {
      if (!e.is_string()) return TypeError(p, e, "string");
      out->push_back(e.get<std::string>());
    });
  }
  // The object under `key`, or null (absent, null or not an object; the latter reported).
  const json* Object(const json& obj, absl::string_view path, absl::string_view key,
                     bool required) {
    const json* v = Get(obj, path, key, required);
    if (v != nullptr && !v->is_object()) {
      TypeError(Join(path, key), *v, "object");
      return nullptr;
    }
    return v;
  }
  // The body itself must be an object.
  bool Root(const json& body) {
    if (body.is_object()) return true;
    TypeError("", body, "object");
    return false;
  }

 private:
  SchemaErrors* errors_;
};

constexpr const char* kClientIds[] = {"marketplace", "search_service", "user_dashboard",
                                      "undefined"};

void ParseSearchData(Checker& c, const json& sd, SearchData* out) {
  const std::string p = "search_data";
  std::string ignored;
  c.Str(sd, p, "q", false, &out->q);
  c.IntList(sd, p, "categories", false, &out->categories);
  c.StrList(sd, p, "geographical_availabilities", &out->geographical_availabilities);
  c.Str(sd, p, "order_type", false, &ignored);
  c.IntList(sd, p, "providers", false, &out->providers);
  c.Str(sd, p, "rating", false, &ignored);
  c.IntList(sd, p, "related_platforms", false, &out->related_platforms);
  c.IntList(sd, p, "scientific_domains", false, &out->scientific_domains);
  c.Str(sd, p, "sort", false, &ignored);
  c.IntList(sd, p, "target_users", false, &out->target_users);
}

void CheckClientId(Checker& c, const std::optional<std::string>& client_id) {
  if (!client_id.has_value()) return;
  for (const char* allowed : kClientIds) {
    if (*client_id == allowed) return;
  }
  c.Add("client_id", absl::StrCat("'", *client_id,
                                  "' is not one of ['marketplace', 'search_service', "
                                  "'user_dashboard', 'undefined']"));
}

}  // namespace

RecommendationContext ParseRecommendationContext(const json& body, SchemaErrors* errors) {
  Checker c(errors);
  RecommendationContext r;
  if (!c.Root(body)) return r;
  c.Int(body, "", "user_id", false, &r.user_id);
  c.Str(body, "", "unique_id", true, &r.unique_id, /*nullable=*/false);
  c.Str(body, "", "timestamp", true, &r.timestamp, /*nullable=*/false);
  c.Str(body, "", "visit_id", true, &r.visit_id);
  c.Str(body, "", "page_id", true, &r.page_id, /*nullable=*/false);
  c.Str(body, "", "panel_id", false, &r.panel_id);
  if (const json* sd = c.Object(body, "", "search_data", true)) {
    ParseSearchData(c, *sd, &r.search_data);
  }
  for (const char* key : {"engine_version", "candidates", "client_id", "aai_uid"}) {
    if (body.contains(key)) r.head_style = true;
  }
  c.OptStr(body, "", "engine_version", &r.engine_version);
  std::vector<int64_t> candidates;
  if (c.IntList(body, "", "candidates", false, &candidates)) r.candidates = std::move(candidates);
  c.OptStr(body, "", "client_id", &r.client_id);
  CheckClientId(c, r.client_id);
  c.OptStr(body, "", "aai_uid", &r.aai_uid);
  return r;
}

UserAction ParseUserAction(const json& body, SchemaErrors* errors) {
  Checker c(errors);
  UserAction a;
  if (!c.Root(body)) return a;
  c.Int(body, "", "user_id", false, &a.user_id);
  c.Str(body, "", "unique_id", true, &a.unique_id, /*nullable=*/false);
  c.Str(body, "", "timestamp", true, &a.timestamp, /*nullable=*/false);
  if (const json* source = c.Object(body, "", "source", true)) {
    c.Str(*source, "source", "visit_id", true, &a.source_visit_id);
    c.Str(*source, "source", "page_id", true, &a.source_page_id, /*nullable=*/false);
    if (const json* root = c.Object(*source, "source", "root", false)) {
      a.has_root = true;
      c.Str(*root, "source.root", "type", true, &a.root_type, /*nullable=*/false);
      c.Str(*root, "source.root", "panel_id", false, &a.root_panel_id);
      std::optional<int64_t> service_id, resource_id;
      std::string resource_type;
      c.Int(*root, "source.root", "service_id", false, &service_id);
      c.Int(*root, "source.root", "resource_id", false, &resource_id);
      c.Str(*root, "source.root", "resource_type", false, &resource_type);
      if (service_id.has_value()) {
        a.root_service_id = service_id;
      } else if (resource_id.has_value() && (resource_type.empty() || resource_type == "service")) {
        a.root_service_id = resource_id;
      }
    }
  }
  if (const json* target = c.Object(body, "", "target", true)) {
    c.Str(*target, "target", "visit_id", true, &a.target_visit_id, /*nullable=*/false);
    c.Str(*target, "target", "page_id", true, &a.target_page_id, /*nullable=*/false);
  }
  if (const json* action = c.Object(body, "", "action", true)) {
    c.Str(*action, "action", "type", true, &a.action_type, /*nullable=*/false);
    c.Str(*action, "action", "text", true, &a.action_text, /*nullable=*/false);
    c.Bool(*action, "action", "order", true, &a.action_order);
  }
  c.OptStr(body, "", "client_id", &a.client_id);
  CheckClientId(c, a.client_id);
  c.OptStr(body, "", "aai_uid", &a.aai_uid);
  return a;
}

Dump ParseDump(const json& body, SchemaErrors* errors) {
  Checker c(errors);
  Dump d;
  if (!c.Root(body)) return d;
  c.List(body, "", "services", true, [&](const json& e, const std::string& p) {
    if (!e.is_object()) return c.TypeError(p, e, "object");
    Service s;
    std::optional<int64_t> id;
    c.Int(e, p, "id", true, &id);
    s.id = id.value_or(0);
    c.Str(e, p, "name", false, &s.name);
    c.Str(e, p, "description", false, &s.description);
    c.Str(e, p, "tagline", false, &s.tagline);
    c.Str(e, p, "status", false, &s.status);
    c.StrList(e, p, "countries", &s.countries);
    c.IntList(e, p, "categories", false, &s.categories);
    c.IntList(e, p, "providers", false, &s.providers);
    c.Int(e, p, "resource_organisation", false, &s.resource_organisation);
    c.IntList(e, p, "scientific_domains", false, &s.scientific_domains);
    c.IntList(e, p, "platforms", false, &s.platforms);
    c.IntList(e, p, "target_users", false, &s.target_users);
    c.IntList(e, p, "access_modes", false, &s.access_modes);
    c.IntList(e, p, "access_types", false, &s.access_types);
    c.IntList(e, p, "trls", false, &s.trls);
    c.IntList(e, p, "life_cycle_statuses", false, &s.life_cycle_statuses);
    c.IntList(e, p, "research_steps", false, &s.research_steps);
    std::vector<int64_t> ignored;
    c.IntList(e, p, "related_services", false, &ignored);
    c.IntList(e, p, "required_services", false, &ignored);
    d.services.push_back(std::move(s));
  });
  c.List(body, "", "users", true, [&](const json& e, const std::string& p) {
    if (!e.is_object()) return c.TypeError(p, e, "object");
    DumpUser u;
    std::optional<int64_t> id;
    c.Int(e, p, "id", true, &id);
    u.id = id.value_or(0);
    c.OptStr(e, p, "aai_uid", &u.aai_uid);
    c.IntList(e, p, "scientific_domains", false, &u.scientific_domains);
    c.IntList(e, p, "categories", false, &u.categories);
    c.IntList(e, p, "accessed_services", false, &u.accessed_services);
    d.users.push_back(std::move(u));
  });
  auto named = [&](const json& e, const std::string& p) {
    if (!e.is_object()) return c.TypeError(p, e, "object");
    std::optional<int64_t> id;
    c.Int(e, p, "id", true, &id);
  };
  for (const char* key : kDumpCollections) c.List(body, "", key, true, named);
  // 2024 additions, optional.
  c.List(body, "", "research_steps", false, named);
  c.List(body, "", "projects", false, named);
  return d;
}

}  // namespace recplat::http::eosc
