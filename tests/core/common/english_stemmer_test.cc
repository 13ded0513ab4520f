// The Snowball English ("Porter2") stemmer (core/common/english_stemmer.h). Every expected stem
// below was worked out by hand from the published algorithm (regions, then steps 0-5); the
// comments give the reasoning for the cases that exercise a rule's edge.
#include "core/common/english_stemmer.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace recplat::common {
namespace {

// clang-format off: the word -> stem tables are laid out by hand.

using Pairs = std::vector<std::pair<std::string, std::string>>;

void ExpectStems(const Pairs& pairs) {
  for (const auto& [word, stem] : pairs) {
    EXPECT_EQ(StemEnglish(word), stem) << "word: " << word;
  }
}

TEST(EnglishStemmerTest, ShortWordsAreKept) {
  ExpectStems({{"", ""}, {"a", "a"}, {"is", "is"}, {"by", "by"}, {"ox", "ox"}, {"as", "as"},
               {"ed", "ed"}, {"s", "s"}});
}

TEST(EnglishStemmerTest, ExceptionalForms) {
  ExpectStems({{"skis", "ski"},     {"skies", "sky"},    {"dying", "die"},   {"lying", "lie"},
               {"tying", "tie"},    {"idly", "idl"},     {"gently", "gentl"}, {"ugly", "ugli"},
               {"early", "earli"},  {"only", "onli"},    {"singly", "singl"}, {"sky", "sky"},
               {"news", "news"},    {"howe", "howe"},    {"atlas", "atlas"}, {"cosmos", "cosmos"},
               {"bias", "bias"},    {"andes", "andes"}});
  // Only whole words: "skiing" is stemmed normally, "newsy" too.
  ExpectStems({{"skiing", "ski"}, {"biased", "bias"}, {"atlases", "atlas"}});
}

TEST(EnglishStemmerTest, InvariantsAfterStep1a) {
  // inning, outing, canning, herring, earring, proceed, exceed, succeed stop after step 1a, so
  // their plurals end there too; other forms go on.
  ExpectStems({{"inning", "inning"},   {"innings", "inning"},   {"outing", "outing"},
               {"outings", "outing"},  {"canning", "canning"},  {"herring", "herring"},
               {"herrings", "herring"}, {"earring", "earring"}, {"earrings", "earring"},
               {"proceed", "proceed"}, {"proceeds", "proceed"}, {"exceed", "exceed"},
               {"exceeds", "exceed"},  {"succeed", "succeed"},  {"succeeds", "succeed"},
               // Not invariant: "ed" goes in step 1b, "proceed" has nothing else to lose.
               {"proceeded", "proceed"}, {"exceedingly", "exceed"}, {"succeeding", "succeed"},
               {"winning", "win"},     {"cannings", "canning"}});
}

TEST(EnglishStemmerTest, Step0Apostrophes) {
  ExpectStems({{"dog's", "dog"}, {"dogs'", "dog"}, {"dogs's'", "dog"}, {"'dogs", "dog"},
               {"user's", "user"}});
}

TEST(EnglishStemmerTest, Step1a) {
  ExpectStems({
      {"caresses", "caress"}, {"ponies", "poni"},  {"ties", "tie"},    {"cries", "cri"},
      {"tied", "tie"},        {"cried", "cri"},    {"dies", "die"},    {"pies", "pie"},
      {"spies", "spi"},       {"caress", "caress"}, {"cats", "cat"},   {"gaps", "gap"},
      {"kiwis", "kiwi"},      {"gas", "gas"},      {"this", "this"},   {"bus", "bus"},
      {"status", "status"},   {"campus", "campus"}, {"focus", "focus"}, {"yes", "yes"},
      // The vowel must not be the letter just before the s: "gpus" keeps its s.
      {"gpus", "gpus"},       {"gpu", "gpu"},      {"analysis", "analysi"},
      {"repositories", "repositori"}, {"knackeries", "knackeri"},
  });
}

TEST(EnglishStemmerTest, Step1b) {
  ExpectStems({
      // eed/eedly: ee when in R1, else nothing (and no fallback to ed).
      {"agreed", "agre"}, {"feed", "feed"}, {"bleed", "bleed"}, {"guaranteed", "guarante"},
      {"needed", "need"},
      // ed/edly/ing/ingly after a vowel; then at/bl/iz -> +e, double -> -1, short -> +e.
      {"luxuriating", "luxuri"}, {"hopping", "hop"}, {"hoping", "hope"}, {"hopped", "hop"},
      {"hoped", "hope"},         {"filing", "file"}, {"filling", "fill"}, {"failing", "fail"},
      {"fizzed", "fizz"},        {"sized", "size"},  {"conflated", "conflat"},
      {"troubled", "troubl"},    {"tanned", "tan"},  {"falling", "fall"}, {"hissing", "hiss"},
      {"matting", "mat"},        {"mating", "mate"}, {"meeting", "meet"}, {"milling", "mill"},
      {"messing", "mess"},       {"meetings", "meet"}, {"bled", "bled"}, {"sing", "sing"},
      {"sings", "sing"},         {"surprisingly", "surpris"}, {"reportedly", "report"},
      {"sharing", "share"},      {"shared", "share"}, {"opening", "open"}, {"opened", "open"},
      {"disabled", "disabl"},    {"controlling", "control"}, {"kneeled", "kneel"},
      {"kneaded", "knead"},      {"knitted", "knit"}, {"knitting", "knit"},
      // y made Y after a vowel is a consonant, and not a short-syllable end.
      {"buying", "buy"},         {"played", "play"},  {"flying", "fli"},  {"crying", "cri"},
  });
}

TEST(EnglishStemmerTest, Step1c) {
  ExpectStems({{"happy", "happi"}, {"cry", "cri"},     {"say", "say"},    {"says", "say"},
               {"saying", "say"},   {"toy", "toy"},     {"toys", "toy"},   {"enjoy", "enjoy"},
               {"enjoying", "enjoy"}, {"enjoyed", "enjoy"}, {"obey", "obey"}, {"boy", "boy"},
               {"abbey", "abbey"}, {"deeply", "deepli"}, {"happily", "happili"},
               {"yield", "yield"}, {"yielding", "yield"}, {"young", "young"},
               {"yesterday", "yesterday"}, {"accompany", "accompani"},
               {"accompanied", "accompani"}, {"conspiracy", "conspiraci"}});
}

TEST(EnglishStemmerTest, Step2) {
  ExpectStems({
      {"conditional", "condit"},   {"rational", "ration"},     {"valenci", "valenc"},
      {"hesitanci", "hesit"},      {"digitizer", "digit"},     {"organization", "organ"},
      {"relational", "relat"},     {"operator", "oper"},       {"feudalism", "feudal"},
      {"decisiveness", "decis"},   {"hopefulness", "hope"},    {"callousness", "callous"},
      {"formaliti", "formal"},     {"sensitiviti", "sensit"},  {"sensibiliti", "sensibl"},
      {"differently", "differ"},   {"analogi", "analog"},      {"beautifully", "beauti"},
      {"hopelessly", "hopeless"},  {"accessibility", "access"}, {"availability", "avail"},
      {"interoperability", "interoper"}, {"simulation", "simul"}, {"simulations", "simul"},
      {"computation", "comput"},   {"computational", "comput"}, {"visualization", "visual"},
      {"knightly", "knight"},      {"absolutely", "absolut"},  {"actually", "actual"},
      {"accidentally", "accident"},
      // The longest suffix decides, even out of R1: no fallback to a shorter one.
      {"fluently", "fluentli"},    {"ability", "abil"},
      // li only after a valid li-ending (c d e g h k m n r t).
      {"sadly", "sad"},            {"warmly", "warm"},         {"fully", "fulli"},
  });
}

TEST(EnglishStemmerTest, Step3) {
  ExpectStems({{"electrical", "electr"},   {"electricity", "electr"},
               {"formalize", "formal"},    {"triplicate", "triplic"},
               {"goodness", "good"},       {"hopeful", "hope"},
               {"creative", "creativ"},    {"demonstrative", "demonstr"},
               {"happiness", "happi"},     {"generically", "generic"}});
}

TEST(EnglishStemmerTest, Step4) {
  ExpectStems({
      {"allowance", "allow"},     {"inference", "infer"},     {"airliner", "airlin"},
      {"gyroscopic", "gyroscop"}, {"adjustable", "adjust"},   {"defensible", "defens"},
      {"irritant", "irrit"},      {"replacement", "replac"},  {"adjustment", "adjust"},
      {"dependent", "depend"},    {"adoption", "adopt"},      {"homologous", "homolog"},
      {"activate", "activ"},      {"angularity", "angular"},  {"effective", "effect"},
      {"bowdlerize", "bowdler"},  {"action", "action"},       {"actual", "actual"},
      {"accident", "accid"},      {"accidental", "accident"}, {"abundance", "abund"},
      {"abundant", "abund"},      {"acquaintance", "acquaint"}, {"achievement", "achiev"},
      {"employment", "employ"},   {"scientific", "scientif"}, {"genomics", "genom"},
      {"analytics", "analyt"},    {"virtual", "virtual"},     {"computer", "comput"},
      {"knocker", "knocker"},     {"knockers", "knocker"},
  });
}

TEST(EnglishStemmerTest, Step5) {
  ExpectStems({{"probate", "probat"}, {"rate", "rate"},   {"cease", "ceas"},
               {"controll", "control"}, {"roll", "roll"}, {"able", "abl"},
               {"ache", "ach"},       {"achieve", "achiev"}, {"abuse", "abus"},
               {"absence", "absenc"}, {"acknowledge", "acknowledg"}, {"acquire", "acquir"},
               {"accurate", "accur"}, {"active", "activ"}, {"activity", "activ"},
               {"knives", "knive"},   {"knave", "knave"}, {"knife", "knife"},
               {"storage", "storag"}, {"service", "servic"}, {"services", "servic"},
               {"machines", "machin"}, {"languages", "languag"},
               {"infrastructure", "infrastructur"}, {"compute", "comput"}});
}

TEST(EnglishStemmerTest, SpecialPrefixesSetR1) {
  // gener/commun/arsen: R1 starts after the prefix (without it "communism" -> "commun").
  ExpectStems({{"generate", "generat"},      {"generates", "generat"},
               {"generated", "generat"},     {"generating", "generat"},
               {"generation", "generat"},    {"generations", "generat"},
               {"generator", "generat"},     {"general", "general"},
               {"generally", "general"},     {"generic", "generic"},
               {"generous", "generous"},     {"generously", "generous"},
               {"communism", "communism"},   {"communication", "communic"},
               {"communications", "communic"}, {"community", "communiti"},
               {"communities", "communiti"}, {"communal", "communal"},
               {"communion", "communion"},   {"arsenal", "arsenal"},
               {"arsenic", "arsenic"}});
}

TEST(EnglishStemmerTest, Vocabulary) {
  // Families whose members meet (the point of stemming for search).
  ExpectStems({
      {"consign", "consign"},         {"consigned", "consign"},     {"consigning", "consign"},
      {"consignment", "consign"},     {"consist", "consist"},       {"consisted", "consist"},
      {"consistency", "consist"},     {"consistent", "consist"},    {"consistently", "consist"},
      {"consisting", "consist"},      {"consists", "consist"},      {"consolation", "consol"},
      {"consolations", "consol"},     {"consolatory", "consolatori"}, {"console", "consol"},
      {"consoled", "consol"},         {"consoles", "consol"},       {"consolidate", "consolid"},
      {"consolidated", "consolid"},   {"consolidating", "consolid"}, {"consoling", "consol"},
      {"consolingly", "consol"},      {"consols", "consol"},        {"consonant", "conson"},
      {"consort", "consort"},         {"consorted", "consort"},     {"consorting", "consort"},
      {"conspicuous", "conspicu"},    {"conspicuously", "conspicu"}, {"conspirator", "conspir"},
      {"conspirators", "conspir"},    {"conspire", "conspir"},      {"conspired", "conspir"},
      {"conspiring", "conspir"},      {"constable", "constabl"},    {"constables", "constabl"},
      {"constance", "constanc"},      {"constancy", "constanc"},    {"constant", "constant"},
      {"knack", "knack"},             {"knacks", "knack"},          {"knee", "knee"},
      {"kneel", "kneel"},             {"kneeling", "kneel"},        {"kneels", "kneel"},
      {"knees", "knee"},              {"knight", "knight"},         {"knights", "knight"},
      {"knocked", "knock"},           {"knocking", "knock"},        {"knocks", "knock"},
      {"abandon", "abandon"},         {"abandoned", "abandon"},     {"abandonment", "abandon"},
      {"absent", "absent"},           {"accept", "accept"},         {"acceptable", "accept"},
      {"acceptance", "accept"},       {"accepted", "accept"},       {"according", "accord"},
      {"accordingly", "accord"},      {"accustomed", "accustom"},   {"acted", "act"},
      {"actions", "action"},          {"employs", "employ"},        {"employed", "employ"},
      {"computing", "comput"},        {"computers", "comput"},      {"clouds", "cloud"},
      {"datasets", "dataset"},        {"networking", "network"},    {"networks", "network"},
      {"learning", "learn"},          {"training", "train"},        {"processing", "process"},
      {"accessible", "access"},       {"accessed", "access"},       {"hosting", "host"},
      {"hosted", "host"},             {"tools", "tool"},            {"workflows", "workflow"},
      {"repository", "repositori"},   {"days", "day"},
  });
}

TEST(EnglishStemmerTest, NonAsciiLettersAreConsonantsCountedAsCharacters) {
  ExpectStems({{"café", "café"}, {"naïve", "naïv"}, {"résumés", "résumé"},
               {"données", "donné"},
               // One character before "ies" (two bytes): "ie", as for "ties".
               {"éies", "éie"},
               // Two characters ("日本" is six bytes but two letters): kept as they are.
               {"日本", "日本"}});
}

TEST(EnglishStemmerTest, InvalidUtf8BytesComeBackUnchanged) {
  EXPECT_EQ(StemEnglish("\xff"
                        "ing"),
            "\xff"
            "ing");
  EXPECT_EQ(StemEnglish("ab\xff"
                        "ed"),
            "ab\xff");
  EXPECT_EQ(StemEnglish(std::string("a\0bs", 4)), std::string("a\0b", 3));
  EXPECT_EQ(StemEnglish("\xc3(s"), "\xc3(s");
}

TEST(EnglishStemmerTest, StopWordsAreMongosEnglishList) {
  for (const char* w : {"the", "and", "a", "about", "ourselves", "yourselves", "which", "s", "t",
                        "don", "through", "further"}) {
    EXPECT_TRUE(IsEnglishStopWord(w)) << w;
  }
  for (const char* w : {"cloud", "gpu", "", "data", "won", "let", "The", "computing"}) {
    EXPECT_FALSE(IsEnglishStopWord(w)) << w;
  }
}

// clang-format on

}  // namespace
}  // namespace recplat::common
