// File: user_model.h
//
// UserModel: how a simulated user reacts to a list of articles shown after a refresh. It is a
// position-based click model (examination x attraction) whose attraction comes from the MIND
// behaviours (mind_data.h):
//
//   P(click on the article at rank r) = E(r) * A(u, a)           (rank r = 1 for the top)
//   E(r)    = 1 / log2(r + 1)                                    examination (position bias)
//   A(u, a) = min(1, click_scale * I(u, a) * Q(a) * F(a))        attraction
//   I(u, a) = (1 - w) * Pc(u, cat(a)) + w * Ps(u, subcat(a))     interest, w = subcategory_weight
//   Pc(u, c) = (n_u,c + k * p_c) / (n_u + k)                     the user's category share,
//             smoothed towards the population share p_c = (N_c + 1) / (N + #categories) with
//             k = prior_clicks pseudo-clicks (Ps likewise over subcategories)
//   Q(a)    = ((clicks_a + m * ctr) / (impressions_a + m)) / ctr  intrinsic appeal: the article's
//             smoothed CTR over every MIND impression row that showed it, relative to the overall
//             CTR `ctr` of the rows (1 = average; m = appeal_prior_impressions)
//   F(a)    = 2^(-age / half_life)                               freshness: age is simulated time
//             since publish_date; half_life = freshness_half_life (<= 0 turns it off)
//
// The user examines the list top-down; each rank is examined with probability E(r) and, if
// examined, clicked with probability A(u, a), independently of the other ranks (so a refresh may
// get several clicks). An article the user already clicked (in this list or before) is never
// clicked again. After a click the user rates it with probability rate_probability: +1 with
// probability min(1, 0.2 + 1.2 * I(u, a)), else -1; and bookmarks it with probability
// bookmark_probability * (0.5 + I(u, a)).
//
// Calibration (tests/tools/renewal_sim/sim_quality_test.cc, mind-small-sample, lists of 10
// articles 6 h old): random articles get a CTR of about 3.4% (the sample's impression CTR is
// 4.0%), the user's favourite subcategory about 3 times that.
//
// Determinism: React() draws from the generator it is given, in a fixed order (two numbers per
// rank, three more per click), so a seeded generator gives the same reactions to the same list.
//
// Thread safety: immutable after construction; all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tools/renewal_sim/mind_data.h"

namespace recplat::renewal_sim {

struct UserModelOptions {
  // w: weight of the subcategory share in the interest (the category share gets 1 - w).
  double subcategory_weight = 0.5;
  // k: pseudo-clicks pulling a user's shares towards the population's.
  double prior_clicks = 2.0;
  // m: pseudo-impressions of the smoothed CTR behind an article's appeal.
  double appeal_prior_impressions = 20.0;
  // Overall scale of the attraction.
  double click_scale = 1.0;
  // Freshness half-life in simulated time; zero or negative: no freshness effect.
  absl::Duration freshness_half_life = absl::Hours(24);
  // After a click: probability of a rating, and the base probability of a bookmark.
  double rate_probability = 0.2;
  double bookmark_probability = 0.1;
};

class UserModel {
 public:
  // One shown article.
  struct Shown {
    const MindArticle* article = nullptr;
    // Simulated time since its publish_date.
    absl::Duration age;
    // Clicked before (in an earlier refresh): never clicked again.
    bool already_clicked = false;
  };
  // One click.
  struct Reaction {
    size_t position = 0;  // index in the shown list (rank - 1)
    int rating = 0;       // 0: not rated; else +1 / -1
    bool bookmarked = false;
  };

  // `data` provides the population statistics and must outlive the model.
  UserModel(const MindData& data, UserModelOptions options);

  const UserModelOptions& options() const { return options_; }

  // E(r) for rank r >= 1 (1 for the top).
  static double Examination(size_t rank);
  double Interest(const SimUser& user, const MindArticle& article) const;
  double Appeal(const MindArticle& article) const;
  double Freshness(absl::Duration age) const;
  double Attraction(const SimUser& user, const MindArticle& article, absl::Duration age) const;
  // E(rank) * A(u, a).
  double ClickProbability(const SimUser& user, const MindArticle& article, absl::Duration age,
                          size_t rank) const;

  // The clicks (in list order) of `user` on `shown` (null articles are skipped).
  std::vector<Reaction> React(const SimUser& user, const std::vector<Shown>& shown,
                              std::mt19937_64& rng) const;

 private:
  double Share(const std::map<std::string, int64_t>& user_counts, int64_t user_total,
               const std::map<std::string, int64_t>& population, const std::string& key) const;

  const MindData& data_;
  const UserModelOptions options_;
  double ctr_ = 0.04;
  double category_denominator_ = 1;
  double subcategory_denominator_ = 1;
};

}  // namespace recplat::renewal_sim
