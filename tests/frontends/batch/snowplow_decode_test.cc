// Snowplow object decoding: gzip framing (members, truncation, corruption, plain text), line
// decoding and timestamps, and a seeded mutation test: mutants of valid objects and lines are
// decoded without crashing, and every object is either decoded or counted as skipped.
#include "frontends/batch/snowplow_decode.h"

#include <random>

#include "gtest/gtest.h"
#include "tests/frontends/batch/gzip_for_test.h"
#include "tests/testing/text_mutation.h"

namespace recplat::batch {
namespace {

std::string ThreeLines() {
  return SnowplowLineForTest("2021-03-01T12:00:00.250Z", "/article/1/a", "amp-1") + "\n" +
         SnowplowLineForTest("2021-03-01 12:01:00.000", "/article/2/b", "amp-1") + "\n" +
         SnowplowLineForTest("2021-03-01T12:02:00Z", "/article/1/a", "amp-2") + "\n";
}

TEST(GunzipTest, DecodesOneAndSeveralMembers) {
  std::string out;
  EXPECT_EQ(Gunzip(GzipForTest("hello"), 1 << 20, &out), GunzipResult::kOk);
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(Gunzip(GzipForTest("ab") + GzipForTest("cd"), 1 << 20, &out), GunzipResult::kOk);
  EXPECT_EQ(out, "abcd");
  EXPECT_EQ(Gunzip(GzipForTest(""), 1 << 20, &out), GunzipResult::kOk);
  EXPECT_EQ(out, "");
}

TEST(GunzipTest, ClassifiesBadObjects) {
  std::string out;
  const std::string gz = GzipForTest(ThreeLines());
  EXPECT_EQ(Gunzip("", 1 << 20, &out), GunzipResult::kEmpty);
  EXPECT_EQ(Gunzip(ThreeLines(), 1 << 20, &out), GunzipResult::kNotGzip);
  for (size_t cut : {size_t{2}, size_t{10}, gz.size() / 2, gz.size() - 1}) {
    EXPECT_EQ(Gunzip(gz.substr(0, cut), 1 << 20, &out), GunzipResult::kTruncated) << cut;
    EXPECT_TRUE(out.empty());
  }
  std::string bad_crc = gz;
  bad_crc[gz.size() - 6] ^= 0x55;  // the CRC-32 of the trailer
  EXPECT_EQ(Gunzip(bad_crc, 1 << 20, &out), GunzipResult::kCorrupt);
  std::string bad_block = gz;
  bad_block[10] = '\xff';  // an invalid deflate block type
  EXPECT_EQ(Gunzip(bad_block, 1 << 20, &out), GunzipResult::kCorrupt);
  EXPECT_EQ(Gunzip(gz + "trailing garbage", 1 << 20, &out), GunzipResult::kCorrupt);
  EXPECT_EQ(Gunzip(GzipForTest(std::string(100000, 'x')), 1000, &out), GunzipResult::kTooLarge);
}

TEST(ParseTimestampTest, AcceptsSnowplowAndIsoForms) {
  EXPECT_EQ(*ParseTimestampMs("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(*ParseTimestampMs("1970-01-01 00:00:01.5"), 1500);
  EXPECT_EQ(*ParseTimestampMs("1970-01-01T00:00:01.123456789Z"), 1123);
  EXPECT_EQ(*ParseTimestampMs("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(*ParseTimestampMs("1969-12-31T19:00:00-0500"), 0);
  EXPECT_EQ(*ParseTimestampMs("2021-04-13T19:00:45+00:00"), 1618340445000);
  for (const char* bad : {"", "2021-04-13", "2021-13-01T00:00:00Z", "2021-02-30T00:00:00Z",
                          "2021-04-13T19:00:45.Z", "2021-04-13T19:00:45+25:00",
                          "2021-04-13T19:00:45Zjunk", "2021/04/13T19:00:45Z"}) {
    EXPECT_FALSE(ParseTimestampMs(bad).ok()) << bad;
  }
}

TEST(DecodeSnowplowTest, DecodesLinesAndCountsMalformedOnes) {
  const std::string text =
      ThreeLines() + "not json\n\n[1,2]\n{\"collector_tstamp\": 5}\n" +
      "{\"collector_tstamp\":\"2021-03-01T12:00:00Z\",\"page_urlpath\":\"/x\"}\n" +
      "{\"collector_tstamp\":\"2021-03-01T12:00:00Z\",\"page_urlpath\":null,"
      "\"contexts_dev_amp_snowplow_amp_id_1\":[{\"ampClientId\":\"amp-3\"}]}";
  PageViewTable table;
  DecodeStats stats;
  DecodeSnowplowObject(GzipForTest(text), 1 << 20, &table, &stats);
  EXPECT_EQ(stats.objects_decoded, 1);
  EXPECT_EQ(stats.lines, 8);
  EXPECT_EQ(stats.lines_malformed, 3);
  EXPECT_EQ(stats.rows_without_client, 1);
  EXPECT_EQ(stats.rows_without_path, 1);
  EXPECT_EQ(stats.rows, 3);
  ASSERT_EQ(table.rows().size(), 3u);
  EXPECT_EQ(table.num_clients(), 2u);
  EXPECT_EQ(table.num_paths(), 2u);
  EXPECT_EQ(table.client(table.rows()[2].client), "amp-2");
  EXPECT_EQ(table.path(table.rows()[1].path), "/article/2/b");
  EXPECT_EQ(table.rows()[0].time_ms, 1614600000250);
}

TEST(DecodeSnowplowTest, SkipsBadObjectsWhole) {
  PageViewTable table;
  DecodeStats stats;
  const std::string gz = GzipForTest(ThreeLines());
  DecodeSnowplowObject("", 1 << 20, &table, &stats);
  DecodeSnowplowObject(ThreeLines(), 1 << 20, &table, &stats);
  DecodeSnowplowObject(gz.substr(0, gz.size() - 3), 1 << 20, &table, &stats);
  DecodeSnowplowObject(gz + "xx", 1 << 20, &table, &stats);
  EXPECT_TRUE(table.rows().empty());
  EXPECT_EQ(stats.objects_empty, 1);
  EXPECT_EQ(stats.objects_uncompressed, 1);
  EXPECT_EQ(stats.objects_truncated, 1);
  EXPECT_EQ(stats.objects_corrupt, 1);
  EXPECT_EQ(stats.objects_skipped(), 4);
}

TEST(PageViewTableTest, AppendReinterns) {
  PageViewTable a;
  PageViewTable b;
  a.Add(a.InternClient("c1"), a.InternPath("/p1"), 1);
  b.Add(b.InternClient("c2"), b.InternPath("/p1"), 2);
  b.Add(b.InternClient("c1"), b.InternPath("/p2"), 3);
  a.Append(b);
  ASSERT_EQ(a.rows().size(), 3u);
  EXPECT_EQ(a.num_clients(), 2u);
  EXPECT_EQ(a.num_paths(), 2u);
  EXPECT_EQ(a.client(a.rows()[1].client), "c2");
  EXPECT_EQ(a.path(a.rows()[1].path), "/p1");
  EXPECT_EQ(a.rows()[2].client, a.rows()[0].client);
}

// Mutants of valid lines (as text) and of valid objects (as bytes, compressed or not) never
// crash the decoder; the counters always account for every line and every object.
TEST(DecodeSnowplowMutationTest, MutantsAreDecodedOrCounted) {
  const std::vector<std::string> seeds = {
      SnowplowLineForTest("2021-03-01T12:00:00.250Z", "/article/1/a", "amp-1"),
      SnowplowLineForTest("2021-03-01 12:01:00", "/article/2/b?x=1", "amp-\\u00e9"),
      "{\"collector_tstamp\":\"2021-03-01T12:00:00+02:00\",\"page_urlpath\":\"/p\","
      "\"contexts_dev_amp_snowplow_amp_id_1\":[]}",
  };
  std::vector<const std::string*> corpus;
  for (const std::string& s : seeds) {
    corpus.push_back(&s);
  }
  const std::vector<std::string> tokens = {"{", "}", "[", "]", "\"", ":", ",", "null", "\\u",
                                           "\n", "\xff", "\"collector_tstamp\"", "T", "Z",
                                           "+99:99", "\"ampClientId\"", "0", "1e999"};
  std::mt19937_64 rng(20211);
  int64_t decoded_rows = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string line = seeds[round % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      line = testing::MutateText(line, tokens, corpus, rng);
    }
    PageViewTable table;
    DecodeStats stats;
    DecodeSnowplowLine(line, &table, &stats);
    ASSERT_EQ(stats.rows, static_cast<int64_t>(table.rows().size()));
    ASSERT_LE(stats.lines_malformed + stats.rows_without_client + stats.rows_without_path +
                  stats.rows,
              stats.lines);
    decoded_rows += stats.rows;
  }
  EXPECT_GT(decoded_rows, 0);  // the mutants stay near-valid: some still decode

  const std::string text = ThreeLines() + ThreeLines();
  const std::string gz = GzipForTest(text);
  const std::vector<const std::string*> object_corpus = {&gz};
  int64_t skipped = 0;
  int64_t decoded = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string object = round % 2 == 0 ? gz : GzipForTest(text);
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      object = testing::MutateText(object, tokens, object_corpus, rng);
    }
    PageViewTable table;
    DecodeStats stats;
    DecodeSnowplowObject(object, 1 << 20, &table, &stats);
    ASSERT_EQ(stats.objects_decoded + stats.objects_skipped(), 1);
    ASSERT_EQ(stats.rows, static_cast<int64_t>(table.rows().size()));
    if (stats.objects_skipped() == 1) {
      ASSERT_TRUE(table.rows().empty());
    }
    skipped += stats.objects_skipped();
    decoded += stats.objects_decoded;
  }
  EXPECT_GT(skipped, 0);
  EXPECT_GT(decoded, 0);
}

}  // namespace
}  // namespace recplat::batch
