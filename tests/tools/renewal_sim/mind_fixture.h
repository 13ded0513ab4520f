// File: mind_fixture.h
//
// A small MIND-format data set (news.tsv, behaviors.tsv) written once per process into a
// temporary directory, so that the simulator's tests need nothing outside the repository:
//  - 300 news N1000..N1299; news i has category kCategories[i % 6] and subcategory
//    "<category>-a" for even i / 6, "<category>-b" for odd i / 6;
//  - 20 users U0..U19: user u's history is 6 news of category u % 6 (all subcategory "-a"), and
//    one impression row with 4 candidates of category (u + 1) % 6 (the 1st and 3rd clicked);
//  - news N1000 is shown in every impression row and never clicked (low appeal), and news
//    N1001 is shown in every row and always clicked (high appeal).
#pragma once

#include <string>

namespace recplat::renewal_sim::testing {

inline constexpr const char* kCategories[] = {"news",   "sports", "finance",
                                              "travel", "health", "music"};

// The directory holding news.tsv and behaviors.tsv (created on first use).
const std::string& MindFixtureDir();

}  // namespace recplat::renewal_sim::testing
