#include "core/engine/reranker.h"

#include <algorithm>
#include <limits>

namespace recplat::engine {
namespace {

constexpr uint32_t kNoCategory = std::numeric_limits<uint32_t>::max();

uint32_t FirstCategory(const catalog::Catalog::Reader& catalog, uint32_t item) {
  if (item >= catalog.size()) return kNoCategory;
  const auto& cats = catalog.Meta(item).categories;
  return cats.empty() ? kNoCategory : cats.front();
}

}  // namespace

void Rerank(const config::DiversityConfig& config, const catalog::Catalog::Reader& catalog,
            std::vector<models::ScoredItem>* items) {
  if (config.method != "category" || config.window <= 1) return;
  const size_t head = std::min(items->size(), static_cast<size_t>(std::max(0, config.ordering_size)));
  const size_t window = static_cast<size_t>(config.window);
  const size_t lookahead = static_cast<size_t>(std::max(1, config.max_lookahead));
  for (size_t pos = 1; pos < head; ++pos) {
    auto clashes = [&](uint32_t category) {
      if (category == kNoCategory) return false;
      const size_t from = pos >= window - 1 ? pos - (window - 1) : 0;
      for (size_t j = from; j < pos; ++j) {
        if (FirstCategory(catalog, (*items)[j].item) == category) return true;
      }
      return false;
    };
    if (!clashes(FirstCategory(catalog, (*items)[pos].item))) continue;
    const size_t end = std::min(head, pos + lookahead + 1);
    for (size_t k = pos + 1; k < end; ++k) {
      if (!clashes(FirstCategory(catalog, (*items)[k].item))) {
        std::rotate(items->begin() + pos, items->begin() + k, items->begin() + k + 1);
        break;
      }
    }
  }
}

}  // namespace recplat::engine
