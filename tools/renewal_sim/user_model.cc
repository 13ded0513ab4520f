#include "tools/renewal_sim/user_model.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace recplat::renewal_sim {
namespace {

// N + (number of distinct keys among the articles): the denominator of the Laplace-smoothed
// population share (N_c + 1) / (N + #keys).
double PopulationDenominator(const MindData& data, bool subcategory) {
  std::set<std::string> keys;
  for (const MindArticle& a : data.articles) keys.insert(subcategory ? a.subcategory : a.category);
  const auto& counts = subcategory ? data.subcategory_clicks : data.category_clicks;
  for (const auto& [key, n] : counts) keys.insert(key);
  return static_cast<double>(data.total_clicks) +
         static_cast<double>(std::max<size_t>(1, keys.size()));
}

}  // namespace

UserModel::UserModel(const MindData& data, UserModelOptions options)
    : data_(data), options_(options) {
  if (data.impressions > 0 && data.impression_clicks > 0) {
    ctr_ = static_cast<double>(data.impression_clicks) / static_cast<double>(data.impressions);
  }
  category_denominator_ = PopulationDenominator(data, /*subcategory=*/false);
  subcategory_denominator_ = PopulationDenominator(data, /*subcategory=*/true);
}

double UserModel::Examination(size_t rank) {
  return 1.0 / std::log2(static_cast<double>(std::max<size_t>(rank, 1)) + 1.0);
}

double UserModel::Share(const std::map<std::string, int64_t>& user_counts, int64_t user_total,
                        const std::map<std::string, int64_t>& population,
                        const std::string& key) const {
  const bool subcategory = &population == &data_.subcategory_clicks;
  const auto pit = population.find(key);
  const double n_key = pit == population.end() ? 0.0 : static_cast<double>(pit->second);
  const double p = (n_key + 1.0) / (subcategory ? subcategory_denominator_ : category_denominator_);
  const auto uit = user_counts.find(key);
  const double n_user = uit == user_counts.end() ? 0.0 : static_cast<double>(uit->second);
  const double k = options_.prior_clicks;
  const double total = static_cast<double>(user_total) + k;
  return total <= 0 ? p : (n_user + k * p) / total;
}

double UserModel::Interest(const SimUser& user, const MindArticle& article) const {
  const double w = std::clamp(options_.subcategory_weight, 0.0, 1.0);
  const double pc =
      Share(user.category_clicks, user.known_clicks, data_.category_clicks, article.category);
  const double ps = Share(user.subcategory_clicks, user.known_clicks, data_.subcategory_clicks,
                          article.subcategory);
  return (1.0 - w) * pc + w * ps;
}

double UserModel::Appeal(const MindArticle& article) const {
  const double m = std::max(0.0, options_.appeal_prior_impressions);
  const double impressions = static_cast<double>(article.impressions) + m;
  if (impressions <= 0) return 1.0;
  return (static_cast<double>(article.clicks) + m * ctr_) / impressions / ctr_;
}

double UserModel::Freshness(absl::Duration age) const {
  if (options_.freshness_half_life <= absl::ZeroDuration() || age <= absl::ZeroDuration()) {
    return 1.0;
  }
  return std::exp2(-absl::FDivDuration(age, options_.freshness_half_life));
}

double UserModel::Attraction(const SimUser& user, const MindArticle& article,
                             absl::Duration age) const {
  const double a =
      options_.click_scale * Interest(user, article) * Appeal(article) * Freshness(age);
  return std::clamp(a, 0.0, 1.0);
}

double UserModel::ClickProbability(const SimUser& user, const MindArticle& article,
                                   absl::Duration age, size_t rank) const {
  return Examination(rank) * Attraction(user, article, age);
}

std::vector<UserModel::Reaction> UserModel::React(const SimUser& user,
                                                  const std::vector<Shown>& shown,
                                                  std::mt19937_64& rng) const {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Reaction> clicks;
  std::set<int64_t> clicked_here;
  for (size_t i = 0; i < shown.size(); ++i) {
    // Two draws per rank whatever happens, so later ranks see the same numbers.
    const double examine = unit(rng);
    const double attract = unit(rng);
    const MindArticle* a = shown[i].article;
    if (a == nullptr || shown[i].already_clicked || clicked_here.contains(a->article_id)) continue;
    if (examine >= Examination(i + 1) || attract >= Attraction(user, *a, shown[i].age)) continue;
    clicked_here.insert(a->article_id);
    const double interest = Interest(user, *a);
    Reaction r;
    r.position = i;
    const double rate = unit(rng), like = unit(rng), bookmark = unit(rng);
    if (rate < options_.rate_probability) {
      r.rating = like < std::min(1.0, 0.2 + 1.2 * interest) ? 1 : -1;
    }
    r.bookmarked = bookmark < options_.bookmark_probability * (0.5 + interest);
    clicks.push_back(r);
  }
  return clicks;
}

}  // namespace recplat::renewal_sim
