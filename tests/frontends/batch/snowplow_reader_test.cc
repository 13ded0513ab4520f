// The S3 window read against a real S3-compatible store (s3rver on loopback): the days of the
// window only, every page of each day's listing, bad objects skipped and counted, results in
// key order whatever the number of fetch threads, and a store that is down fails the read.
#include "frontends/batch/snowplow_reader.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/frontends/batch/gzip_for_test.h"
#include "tests/testing/s3rver.h"
#include "tests/testing/status_matchers.h"

namespace recplat::batch {
namespace {

absl::Time At(const char* iso) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, iso, &t, &err)) << err;
  return t;
}

TEST(DayPrefixesTest, TodayFirstAcrossMonthAndYear) {
  SnowplowReadOptions options;
  options.days = 3;
  options.now = At("2021-01-01T23:59:59Z");
  EXPECT_EQ(DayPrefixes(options),
            (std::vector<std::string>{"enriched/good/2021/01/01", "enriched/good/2020/12/31",
                                      "enriched/good/2020/12/30"}));
}

class SnowplowReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, testing::S3rver::Start({"snowplow"}));
    s3::S3ClientOptions options;
    options.endpoint = server_->endpoint();
    options.bucket = "snowplow";
    options.credentials = {testing::S3rver::kAccessKeyId, testing::S3rver::kSecretAccessKey, ""};
    options.initial_backoff = absl::Milliseconds(10);
    ASSERT_OK_AND_ASSIGN(client_, s3::S3Client::Create(options));
  }

  void Put(const std::string& key, const std::string& bytes) {
    ASSERT_OK(client_->PutObject(key, bytes));
  }

  std::unique_ptr<testing::S3rver> server_;
  std::unique_ptr<s3::S3Client> client_;
};

TEST_F(SnowplowReaderTest, ReadsTheWindowAndSkipsBadObjects) {
  // Two days in the window (03/02, 03/01), one before it; five good objects on 03/02 so that
  // a page size of 2 takes three pages.
  for (int i = 0; i < 5; ++i) {
    Put(absl::StrCat("enriched/good/2021/03/02/part-", i, ".gz"),
        GzipForTest(SnowplowLineForTest(absl::StrCat("2021-03-02T10:00:0", i, "Z"),
                                        absl::StrCat("/article/", i, "/x"), "amp-a") +
                    "\n"));
  }
  Put("enriched/good/2021/03/01/good.gz",
      GzipForTest(SnowplowLineForTest("2021-03-01T09:00:00Z", "/article/9/y", "amp-b") +
                  "\nnot json\n"));
  Put("enriched/good/2021/03/01/empty.gz", "");
  Put("enriched/good/2021/03/01/plain.json",
      SnowplowLineForTest("2021-03-01T09:00:00Z", "/article/9/y", "amp-c"));
  const std::string gz = GzipForTest(SnowplowLineForTest("2021-03-01T09:00:00Z", "/p", "amp-d"));
  Put("enriched/good/2021/03/01/truncated.gz", gz.substr(0, gz.size() / 2));
  Put("enriched/good/2021/02/28/old.gz",
      GzipForTest(SnowplowLineForTest("2021-02-28T09:00:00Z", "/article/8/z", "amp-e")));
  Put("enriched/bad/2021/03/02/x.gz", GzipForTest("{}"));

  for (int threads : {1, 3}) {
    SnowplowReadOptions options;
    options.days = 2;
    options.now = At("2021-03-02T12:00:00Z");
    options.list_page_size = 2;
    options.fetch_threads = threads;
    PageViewTable table;
    SnowplowReadStats stats;
    int64_t last_done = 0;
    ASSERT_OK(ReadSnowplowWindow(*client_, options, &table, &stats,
                                 [&](int64_t done, int64_t total) {
                                   EXPECT_EQ(total, 9);
                                   last_done = std::max(last_done, done);
                                 }));
    EXPECT_EQ(last_done, 9);
    EXPECT_EQ(stats.days_listed, 2);
    EXPECT_EQ(stats.list_pages, 3 + 2);
    EXPECT_EQ(stats.objects_listed, 9);
    EXPECT_EQ(stats.decode.objects_decoded, 6);
    EXPECT_EQ(stats.decode.objects_empty, 1);
    EXPECT_EQ(stats.decode.objects_uncompressed, 1);
    EXPECT_EQ(stats.decode.objects_truncated, 1);
    EXPECT_EQ(stats.objects_skipped(), 3);
    EXPECT_EQ(stats.decode.lines_malformed, 1);
    ASSERT_EQ(table.rows().size(), 6u);
    // Today's objects first, in key order.
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(table.path(table.rows()[i].path), absl::StrCat("/article/", i, "/x"));
    }
    EXPECT_EQ(table.client(table.rows()[5].client), "amp-b");
  }
}

TEST_F(SnowplowReaderTest, AnEmptyWindowIsNotAnError) {
  SnowplowReadOptions options;
  options.days = 28;
  options.now = At("2021-03-02T12:00:00Z");
  PageViewTable table;
  SnowplowReadStats stats;
  ASSERT_OK(ReadSnowplowWindow(*client_, options, &table, &stats));
  EXPECT_EQ(stats.days_listed, 28);
  EXPECT_TRUE(table.rows().empty());
}

TEST_F(SnowplowReaderTest, BadOptionsAndAStoreThatIsDownFail) {
  SnowplowReadOptions options;
  options.now = At("2021-03-02T12:00:00Z");
  PageViewTable table;
  SnowplowReadStats stats;
  options.days = 0;
  EXPECT_THAT(ReadSnowplowWindow(*client_, options, &table, &stats),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
  options.days = 1;
  s3::S3ClientOptions dead = client_->options();
  dead.max_attempts = 1;
  server_.reset();  // stops the store
  ASSERT_OK_AND_ASSIGN(auto down, s3::S3Client::Create(dead));
  const absl::Status status = ReadSnowplowWindow(*down, options, &table, &stats);
  EXPECT_THAT(status, testing::StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(status.message().find("enriched/good/2021/03/02"), std::string::npos);
}

}  // namespace
}  // namespace recplat::batch
