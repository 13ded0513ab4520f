#include "core/catalog/catalog_query.h"

#include <algorithm>
#include <optional>

namespace recplat::catalog {
namespace {

// A query resolved against one catalog's interned names.
struct Compiled {
  // Some clause can match no item (an unknown name, no known value).
  bool impossible = false;
  // Known category ids of the categories clause, ascending; empty when there is no such clause.
  std::vector<uint32_t> categories;
  struct Numeric {
    uint32_t attribute;
    const v1::NumericRange* range;
  };
  std::vector<Numeric> numeric;
  struct Categorical {
    uint32_t attribute;
    // Known value ids, ascending.
    std::vector<uint32_t> values;
  };
  std::vector<Categorical> categorical;
  // Known category ids of each label clause, ascending.
  std::vector<std::vector<uint32_t>> label_clauses;
};

Compiled Compile(const Catalog::Reader& catalog, const v1::CatalogQuery& query) {
  Compiled c;
  for (const std::string& name : query.categories()) {
    if (uint32_t id = catalog.FindCategory(name); id != kUnknownName) c.categories.push_back(id);
  }
  std::sort(c.categories.begin(), c.categories.end());
  if (query.categories_size() > 0 && c.categories.empty()) c.impossible = true;
  for (const v1::NumericRange& range : query.numeric()) {
    const uint32_t attribute = catalog.FindAttribute(range.attribute());
    if (attribute == kUnknownName) c.impossible = true;
    c.numeric.push_back({attribute, &range});
  }
  for (const v1::CategoricalIn& in : query.categorical()) {
    Compiled::Categorical clause{catalog.FindAttribute(in.attribute()), {}};
    for (const std::string& value : in.values()) {
      if (uint32_t id = catalog.FindValue(value); id != kUnknownName) {
        clause.values.push_back(id);
      }
    }
    std::sort(clause.values.begin(), clause.values.end());
    if (clause.attribute == kUnknownName || clause.values.empty()) c.impossible = true;
    c.categorical.push_back(std::move(clause));
  }
  for (const v1::LabelsAnyOf& clause : query.label_clauses()) {
    std::vector<uint32_t> ids;
    for (const std::string& name : clause.labels()) {
      if (uint32_t id = catalog.FindCategory(name); id != kUnknownName) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.empty()) c.impossible = true;
    c.label_clauses.push_back(std::move(ids));
  }
  return c;
}

bool InRange(double v, const v1::NumericRange& r) {
  return (!r.has_gt() || v > r.gt()) && (!r.has_ge() || v >= r.ge()) &&
         (!r.has_lt() || v < r.lt()) && (!r.has_le() || v <= r.le());
}

// The value of `attribute` in an item's (attribute, value) list sorted by attribute, or null.
template <typename V>
const V* Attribute(const std::vector<std::pair<uint32_t, V>>& list, uint32_t attribute) {
  auto it =
      std::lower_bound(list.begin(), list.end(), attribute,
                       [](const std::pair<uint32_t, V>& p, uint32_t a) { return p.first < a; });
  return it != list.end() && it->first == attribute ? &it->second : nullptr;
}

bool Matches(const ItemMeta& m, const Compiled& c) {
  if (!m.live) return false;
  if (!c.categories.empty() &&
      std::none_of(m.categories.begin(), m.categories.end(), [&](uint32_t id) {
        return std::binary_search(c.categories.begin(), c.categories.end(), id);
      })) {
    return false;
  }
  for (const std::vector<uint32_t>& clause : c.label_clauses) {
    if (std::none_of(m.categories.begin(), m.categories.end(), [&](uint32_t id) {
          return std::binary_search(clause.begin(), clause.end(), id);
        })) {
      return false;
    }
  }
  for (const Compiled::Numeric& n : c.numeric) {
    const double* v = Attribute(m.numeric, n.attribute);
    if (v == nullptr || !InRange(*v, *n.range)) return false;
  }
  for (const Compiled::Categorical& k : c.categorical) {
    const uint32_t* v = Attribute(m.categorical, k.attribute);
    if (v == nullptr || !std::binary_search(k.values.begin(), k.values.end(), *v)) return false;
  }
  return true;
}

// The posting lists of one indexed clause.
using Lists = std::vector<const std::vector<uint32_t>*>;

size_t TotalSize(const Lists& lists) {
  size_t n = 0;
  for (const auto* l : lists) n += l->size();
  return n;
}

}  // namespace

bool HasClauses(const v1::CatalogQuery& query) {
  return query.categories_size() > 0 || query.numeric_size() > 0 ||
         query.categorical_size() > 0 || query.label_clauses_size() > 0;
}

std::vector<uint32_t> MatchQuery(const Catalog::Reader& catalog, const v1::CatalogQuery& query,
                                 uint32_t start, size_t limit) {
  std::vector<uint32_t> out;
  const Compiled compiled = Compile(catalog, query);
  if (compiled.impossible || limit == 0) return out;

  // The most selective indexed clause gives the candidates.
  std::optional<Lists> seed;
  auto consider = [&seed](Lists lists) {
    if (!seed.has_value() || TotalSize(lists) < TotalSize(*seed)) seed = std::move(lists);
  };
  if (!compiled.categories.empty()) {
    Lists lists;
    for (uint32_t id : compiled.categories) lists.push_back(&catalog.ItemsInCategory(id));
    consider(std::move(lists));
  }
  for (const std::vector<uint32_t>& clause : compiled.label_clauses) {
    Lists lists;
    for (uint32_t id : clause) lists.push_back(&catalog.ItemsInCategory(id));
    consider(std::move(lists));
  }
  for (const Compiled::Categorical& k : compiled.categorical) {
    Lists lists;
    for (uint32_t value : k.values) lists.push_back(&catalog.ItemsWithValue(k.attribute, value));
    consider(std::move(lists));
  }

  auto take = [&](uint32_t idx) {
    if (Matches(catalog.Meta(idx), compiled)) out.push_back(idx);
    return out.size() < limit;
  };
  if (!seed.has_value()) {
    for (uint32_t idx = start; idx < catalog.size(); ++idx) {
      if (!take(idx)) break;
    }
    return out;
  }
  if (seed->size() == 1) {
    const std::vector<uint32_t>& list = *seed->front();
    for (auto it = std::lower_bound(list.begin(), list.end(), start); it != list.end(); ++it) {
      if (!take(*it)) break;
    }
    return out;
  }
  std::vector<uint32_t> merged;
  merged.reserve(TotalSize(*seed));
  for (const auto* list : *seed) {
    merged.insert(merged.end(), std::lower_bound(list->begin(), list->end(), start), list->end());
  }
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  for (uint32_t idx : merged) {
    if (!take(idx)) break;
  }
  return out;
}

}  // namespace recplat::catalog
