#include "tests/tools/renewal_sim/mind_fixture.h"

#include <fstream>

#include "tests/testing/test_env.h"

namespace recplat::renewal_sim::testing {

const std::string& MindFixtureDir() {
  static const std::string* dir = [] {
    static recplat::testing::TempDir tmp;
    std::ofstream news(tmp.path() / "news.tsv");
    for (int i = 0; i < 300; ++i) {
      const std::string c = kCategories[i % 6];
      news << "N" << 1000 + i << "\t" << c << "\t" << c << ((i / 6) % 2 == 0 ? "-a" : "-b")
           << "\tTitle " << i << "\tAbstract of news " << i << "\thttps://example.org/" << i
           << "\t[]\t[]\n";
    }
    std::ofstream behaviors(tmp.path() / "behaviors.tsv");
    for (int u = 0; u < 20; ++u) {
      behaviors << u + 1 << "\tU" << u << "\t11/12/2019 2:14:46 PM\t";
      for (int k = 0; k < 6; ++k) {
        // Category u % 6, subcategory "-a": i / 6 even, i.e. i = (u % 6) + 12 * m.
        behaviors << (k > 0 ? " " : "") << "N" << 1000 + (u % 6) + 12 * (k * 7 % 24 + 1);
      }
      behaviors << "\tN1000-0 N1001-1";
      for (int k = 0; k < 4; ++k) {
        behaviors << " N" << 1000 + ((u + 1) % 6) + 6 * (k * 11 % 48 + 1)
                  << (k % 2 == 0 ? "-1" : "-0");
      }
      behaviors << "\n";
    }
    return new std::string(tmp.path().string());
  }();
  return *dir;
}

}  // namespace recplat::renewal_sim::testing
