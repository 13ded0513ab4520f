// File: frontend_equivalence_shop.h
//
// The ecoseller traffic of frontend_equivalence_e2e_test.cc, as the ecoseller backend sends it
// (seed-systems.md section 3): a shop with a category hierarchy, products, variants with
// attributes and prices, an unpublished product and out-of-stock variants; a Config version;
// feedback; and /predict bodies. Pure data, no I/O.
//
// The shop: categories 1 > 2 > 3, 4 > 5 (and 6 under 4, stored alone); products
//   10 (cat 2): A1, A2      11 (cat 3): B1 (out of stock), B2     12 (cat 4): C1, C2
//   13 (cat 3, unpublished): D1                                   14 (cat 5): E1, E2
//   15 (cat 2): F1 (out of stock)
// so category 1 lists A1 A2 B1 B2 F1 (B1, F1 last) and 9 variants are live.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace recplat::testing::shop {

nlohmann::json Category(int id, std::optional<int> parent);
nlohmann::json Variant(const std::string& sku, int stock, double weight,
                       const std::vector<int>& attributes);

// The /store_objects batches of the shop, in the order they must be sent.
nlohmann::json AttributesAndCategories();
nlohmann::json Products();
nlohmann::json Variants();
nlohmann::json Prices();

// A Config version: retrieval 100, ordering `ordering_size`, `selection` and `gru4rec`
// disabled, explicit cascades ending in dummy.
nlohmann::json ConfigVersion(int ordering_size, const std::string& create_at);

// Feedback with explicit create_at times (2023-08-02): detail enters attributed to earlier
// recommendations (one on the unpublished D1), leaves and carts of users 7 and 8; orders (14
// lines; by quantity C1, then the out-of-stock B1, then A2, then E1); reviews of users 7 to 10.
nlohmann::json Browsing();
nlohmann::json Orders();
nlohmann::json Reviews();

// A new variant Z1 and a cart event naming the unknown SKU "UNKNOWN": the core refuses the
// whole batch.
nlohmann::json BatchWithUnknownSku();

// Detail enters (no create_at: request time) in `session` on the first two items of a /predict
// answer, attributed to it (`type`, its model name and identifier, the position).
nlohmann::json ClicksOn(const nlohmann::json& predicted, const std::string& session,
                        const std::string& type);

// /predict bodies. `user` null for an anonymous visitor.
nlohmann::json PredictHomepage(const std::string& session, const nlohmann::json& user, int limit);
nlohmann::json PredictDetail(const std::string& session, const nlohmann::json& user,
                             const std::string& variant, int limit);
nlohmann::json PredictCart(const std::string& session, const nlohmann::json& user,
                           const std::string& in_cart, int limit);
nlohmann::json PredictCategory(const std::string& session, int category,
                               std::optional<int> limit = std::nullopt);

}  // namespace recplat::testing::shop
