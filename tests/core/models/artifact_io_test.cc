// The artifact format: round trip of every section type, and DATA_LOSS (never a crash) for
// truncated, modified, mismatched and internally inconsistent files.
#include "core/models/artifact_io.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::models {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string SampleArtifact() {
  ArtifactWriter w("fam");
  const uint32_t u[] = {1, 2, 0xffffffffu};
  const float f[] = {0.5f, -1.25f};
  const double d[] = {3.141592653589793};
  const int64_t i[] = {-5, int64_t{1} << 40};
  w.AddU32("u", u);
  w.AddF32("f", f);
  w.AddF64("d", d);
  w.AddI64("i", i);
  w.AddString("s", std::string("a\0b", 3));
  w.AddU32("empty", {});
  return w.Serialize();
}

TEST(ArtifactIoTest, RoundTripsEverySectionType) {
  ASSERT_OK_AND_ASSIGN(ArtifactReader r, ArtifactReader::Parse(SampleArtifact(), "fam"));
  EXPECT_EQ(r.family(), "fam");
  EXPECT_THAT(r.U32("u").value(), ElementsAre(1u, 2u, 0xffffffffu));
  EXPECT_THAT(r.F32("f").value(), ElementsAre(0.5f, -1.25f));
  EXPECT_THAT(r.F64("d").value(), ElementsAre(3.141592653589793));
  EXPECT_THAT(r.I64("i").value(), ElementsAre(-5, int64_t{1} << 40));
  EXPECT_EQ(r.String("s").value(), std::string("a\0b", 3));
  EXPECT_THAT(r.U32("empty").value(), IsEmpty());
  EXPECT_EQ(r.F64Scalar("d").value(), 3.141592653589793);
  EXPECT_TRUE(r.Has("u"));
  EXPECT_FALSE(r.Has("nope"));
}

TEST(ArtifactIoTest, MissingOrMistypedSectionIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(ArtifactReader r, ArtifactReader::Parse(SampleArtifact(), "fam"));
  EXPECT_THAT(r.U32("nope"), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("'nope'")));
  EXPECT_THAT(r.F64("u"), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("'u'")));
  EXPECT_THAT(r.I64Scalar("i"), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("2 values")));
}

TEST(ArtifactIoTest, WrongFamilyIsDataLoss) {
  EXPECT_THAT(ArtifactReader::Parse(SampleArtifact(), "other"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("'fam'")));
}

TEST(ArtifactIoTest, EveryTruncationIsDataLoss) {
  const std::string bytes = SampleArtifact();
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_THAT(ArtifactReader::Parse(bytes.substr(0, len), "fam"),
                StatusIs(absl::StatusCode::kDataLoss))
        << "length " << len;
  }
}

TEST(ArtifactIoTest, EverySingleByteChangeIsDataLoss) {
  const std::string bytes = SampleArtifact();
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x40);
    EXPECT_THAT(ArtifactReader::Parse(bad, "fam"), StatusIs(absl::StatusCode::kDataLoss))
        << "byte " << pos;
  }
}

// Re-seals `bytes` (whose last 8 bytes are a checksum) so only the structural checks can
// catch what was changed.
std::string Reseal(std::string bytes) {
  const size_t end = bytes.size() - 8;
  const uint64_t sum = Fnv1a64(absl::string_view(bytes.data(), end));
  std::memcpy(bytes.data() + end, &sum, 8);
  return bytes;
}

TEST(ArtifactIoTest, StructuralDamageBehindAValidChecksumIsDataLoss) {
  // Header: 8 magic + 4 version + 4 + 3 ("fam") + 4 section count = offset 23 for section 0,
  // whose name is "u": 4 + 1 bytes, then the type byte (offset 28) and count (offset 29).
  const std::string good = SampleArtifact();
  std::string version = good;
  version[8] = 2;
  EXPECT_THAT(ArtifactReader::Parse(Reseal(version), "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("version 2")));
  std::string type = good;
  type[28] = 99;
  EXPECT_THAT(ArtifactReader::Parse(Reseal(type), "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("unknown type")));
  std::string count = good;
  const uint64_t huge = uint64_t{1} << 62;
  std::memcpy(count.data() + 29, &huge, 8);
  EXPECT_THAT(ArtifactReader::Parse(Reseal(count), "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("past the end")));
  std::string sections = good;
  sections[19] = 7;  // Section count 6 -> 7.
  EXPECT_THAT(ArtifactReader::Parse(Reseal(sections), "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated")));
  std::string magic = good;
  magic[0] = 'X';
  EXPECT_THAT(ArtifactReader::Parse(magic, "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("magic")));
}

TEST(ArtifactIoTest, DuplicateSectionIsDataLoss) {
  ArtifactWriter w("fam");
  const uint32_t u[] = {1};
  w.AddU32("x", u);
  w.AddU32("x", u);
  EXPECT_THAT(ArtifactReader::Parse(w.Serialize(), "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("duplicate")));
}

TEST(ArtifactIoTest, WriteFileIsReadBackAndLeavesNoTempFile) {
  recplat::testing::TempDir tmp;
  ArtifactWriter w("fam");
  const double d[] = {1.5};
  w.AddF64("d", d);
  const auto path = tmp.path() / "a.rpa";
  ASSERT_THAT(w.WriteFile(path), IsOk());
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  ASSERT_OK_AND_ASSIGN(ArtifactReader r, ArtifactReader::ReadFile(path, "fam"));
  EXPECT_EQ(r.F64Scalar("d").value(), 1.5);
  // Overwriting replaces the whole file.
  ArtifactWriter w2("fam");
  ASSERT_THAT(w2.WriteFile(path), IsOk());
  ASSERT_OK_AND_ASSIGN(ArtifactReader r2, ArtifactReader::ReadFile(path, "fam"));
  EXPECT_FALSE(r2.Has("d"));
}

TEST(ArtifactIoTest, MissingFileIsDataLossAndUnwritableDirIsInternal) {
  recplat::testing::TempDir tmp;
  EXPECT_THAT(ArtifactReader::ReadFile(tmp.path() / "none.rpa", "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("none.rpa")));
  ArtifactWriter w("fam");
  EXPECT_THAT(w.WriteFile(tmp.path() / "no_such_dir" / "a.rpa"),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(ArtifactIoTest, TruncatedFileOnDiskIsDataLossNamingThePath) {
  recplat::testing::TempDir tmp;
  const auto path = tmp.path() / "t.rpa";
  const std::string bytes = SampleArtifact();
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THAT(ArtifactReader::ReadFile(path, "fam"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("t.rpa")));
}

TEST(ArtifactIoTest, Fnv1a64MatchesReferenceValues) {
  // Published FNV-1a 64 test vectors.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

}  // namespace
}  // namespace recplat::models
