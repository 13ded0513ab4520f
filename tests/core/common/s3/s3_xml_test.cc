#include "core/common/s3/s3_xml.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/text_mutation.h"

namespace recplat::s3 {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPage[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>events</Name><Prefix>enriched/good/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>enriched/good/2026/12/06/a&amp;b.gz</Key><LastModified>2026-12-06T10:00:00.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>enriched/good/2026/12/06/caf&#xE9; b.gz</Key><Size>0</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";

TEST(ParseListObjectsV2Test, ReadsObjectsTokenAndEntities) {
  ASSERT_OK_AND_ASSIGN(ListPage page, ParseListObjectsV2(kPage));
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "enriched/good/2026/12/06/a&b.gz");
  EXPECT_EQ(page.objects[0].size, 1234);
  EXPECT_EQ(page.objects[0].etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(page.objects[0].last_modified, "2026-12-06T10:00:00.000Z");
  EXPECT_EQ(page.objects[1].key, "enriched/good/2026/12/06/caf\xC3\xA9 b.gz");
  EXPECT_EQ(page.objects[1].size, 0);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(ParseListObjectsV2Test, ReadsCommonPrefixesAndALastPage) {
  ASSERT_OK_AND_ASSIGN(
      ListPage page,
      ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated>"
                         "<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"
                         "<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes></ListBucketResult>"));
  EXPECT_THAT(page.common_prefixes, ElementsAre("a/", "b/"));
  EXPECT_TRUE(page.objects.empty());
  EXPECT_FALSE(page.truncated);
}

TEST(ParseListObjectsV2Test, RefusesWhatIsNotAListing) {
  EXPECT_THAT(ParseListObjectsV2(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseListObjectsV2("<html><body>proxy error</body></html>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ListBucketResult")));
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("malformed XML")));
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><Contents><Size>1</Size></Contents>"
                                 "</ListBucketResult>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without a Key")));
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size>"
                                 "</Contents></ListBucketResult>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Size '-1'")));
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key><Size>1e3</Size>"
                                 "</Contents></ListBucketResult>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Size")));
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                 "</ListBucketResult>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NextContinuationToken")));
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><IsTruncated>yes</IsTruncated>"
                                 "</ListBucketResult>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("IsTruncated")));
}

TEST(ParseListObjectsV2Test, RefusesDoctypesAndDeepNesting) {
  // An entity expansion bomb never gets expanded: no DTD is accepted at all.
  const std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
      "<ListBucketResult><Contents><Key>&c;</Key></Contents></ListBucketResult>";
  EXPECT_THAT(ParseListObjectsV2(bomb),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("document type")));
  std::string deep = "<ListBucketResult>";
  for (int i = 0; i < 100; ++i) deep += "<x>";
  for (int i = 0; i < 100; ++i) deep += "</x>";
  deep += "</ListBucketResult>";
  EXPECT_THAT(ParseListObjectsV2(deep),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested too deeply")));
}

TEST(ParseErrorBodyTest, ReadsCodeAndMessageAndToleratesNoBody) {
  ErrorBody error = ParseErrorBody(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
      "<Message>The specified key does not exist.</Message><Key>a</Key></Error>");
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(error.message, "The specified key does not exist.");
  EXPECT_EQ(ParseErrorBody("").code, "");
  EXPECT_EQ(ParseErrorBody("<html>").code, "");
  EXPECT_EQ(ParseErrorBody("<Error><Code>" + std::string(1000, 'x') + "</Code></Error>").code.size(),
            128u);
}

// The property of the fuzz target, over seeded mutants of the seeds: the parsers return (no
// crash, no exception); an accepted listing has keys on every object, non-negative sizes and a
// token when truncated.
TEST(S3XmlMutationTest, MutantsAreParsedOrRefusedCleanly) {
  const std::vector<std::string> seeds = {
      kPage,
      "<ListBucketResult><IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>a/</Prefix>"
      "</CommonPrefixes></ListBucketResult>",
      "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"};
  const std::vector<std::string> tokens = {"<Contents>", "</Contents>", "<Key>",      "</Key>",
                                           "<Size>",     "</Size>",     "&amp;",      "&#0;",
                                           "<!DOCTYPE",  "]]>",         "<![CDATA[", "true",
                                           "\xff",       "\"",          "<IsTruncated>"};
  std::vector<const std::string*> corpus;
  for (const std::string& seed : seeds) corpus.push_back(&seed);
  std::mt19937_64 rng(20261206);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text = seeds[i % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) text = testing::MutateText(std::move(text), tokens, corpus, rng);
    absl::StatusOr<ListPage> page = ParseListObjectsV2(text);
    ParseErrorBody(text);
    if (!page.ok()) continue;
    ++accepted;
    for (const ObjectInfo& object : page->objects) EXPECT_GE(object.size, 0) << text;
    if (page->truncated) {
      EXPECT_FALSE(page->next_continuation_token.empty()) << text;
    }
  }
  EXPECT_GT(accepted, 0);  // the mutants stay near the grammar
}

}  // namespace
}  // namespace recplat::s3
