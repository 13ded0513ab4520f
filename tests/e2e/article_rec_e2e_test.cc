// Issue 11, end to end: Snowplow events uploaded to a real S3-compatible store on loopback
// (s3rver, started by the test) by an independent client (curl's own SigV4 signer), the batch
// run (`recplat batch`, in-process core), the server started on the same data directory,
// `/recs` answering the expected nearest articles of a hand-built case, a second batch (through
// the running server's gRPC Api, found through the data directory) making the first models
// stale, set_current with and without
// the ADMIN_TOKEN, and the answers surviving a restart.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/server_process.h"
#include "tests/frontends/batch/gzip_for_test.h"
#include "tests/testing/s3rver.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

struct CurlResult {
  int status = 0;
  std::string body;
};

// Runs curl (the independent client) and returns the HTTP status and body.
CurlResult Curl(const std::string& args) {
  const std::string cmd = "curl -s -o - -w '\\n%{http_code}' " + args;
  CurlResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  std::string out;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  const size_t nl = out.rfind('\n');
  if (nl == std::string::npos) return r;
  r.status = std::atoi(out.c_str() + nl + 1);
  r.body = out.substr(0, nl);
  return r;
}

std::string Tstamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

class ArticleRecE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = S3rver::Start({});
    ASSERT_TRUE(started.ok()) << started.status();
    s3_ = *std::move(started);
    data_dir_ = (dir_.path() / "data").string();
    articles_ = (dir_.path() / "articles.jsonl").string();
    profile_ = (SourceDir() / "config" / "article_rec.yaml").string();
    const absl::Time published = absl::Now() - absl::Hours(48);
    std::ofstream a(articles_);
    for (int id : {11, 12, 13, 14}) {
      a << json{{"external_id", id},
                {"path", absl::StrCat("/article/", id, "/x")},
                {"title", absl::StrCat("Article ", id)},
                {"published_at", absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", published,
                                                  absl::UTCTimeZone())}}
                .dump()
        << "\n";
    }
    a << json{{"external_id", 15}, {"path", "/article/15/x"}, {"title", "Never read"},
              {"published_at", nullptr}}
             .dump()
      << "\n";
  }

  void Put(const std::string& key, const std::string& file) {
    const CurlResult r =
        Curl(absl::StrCat("-X PUT --aws-sigv4 'aws:amz:us-east-1:s3' --user S3RVER:S3RVER -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' ",
                          "--data-binary @", file, " ", s3_->endpoint(), "/snowplow/", key));
    ASSERT_EQ(r.status, 200) << key << ": " << r.body;
  }

  // Readers 0-5 read 11 then 12 then 11 again (two minutes each); readers 6-11 the same with 13
  // and 14. One object per group, plus a truncated one and a plain-text one (skipped).
  void UploadEvents() {
    const CurlResult bucket = Curl(absl::StrCat(
        "-X PUT --aws-sigv4 'aws:amz:us-east-1:s3' --user S3RVER:S3RVER -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --data-binary '' ",
        s3_->endpoint(), "/snowplow"));
    ASSERT_EQ(bucket.status, 200) << bucket.body;
    const absl::Time t0 = absl::Now() - absl::Hours(1);
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    const std::string day = absl::StrFormat("enriched/good/%04d/%02d/%02d", today.year(),
                                            today.month(), today.day());
    for (int group = 0; group < 2; ++group) {
      std::string lines;
      for (int reader = group * 6; reader < group * 6 + 6; ++reader) {
        const int first = group == 0 ? 11 : 13;
        const absl::Time t = t0 + absl::Seconds(reader * 7);
        for (auto [article, offset] : {std::pair{first, 0}, {first + 1, 120}, {first, 240}}) {
          lines += batch::SnowplowLineForTest(Tstamp(t + absl::Seconds(offset)),
                                              absl::StrCat("/article/", article, "/x"),
                                              absl::StrCat("amp-", reader)) +
                   "\n";
        }
      }
      const std::string file = (dir_.path() / absl::StrCat("g", group, ".gz")).string();
      std::ofstream(file, std::ios::binary) << batch::GzipForTest(lines);
      Put(absl::StrCat(day, "/part-", group, ".gz"), file);
    }
    const std::string bad = (dir_.path() / "bad.gz").string();
    std::ofstream(bad, std::ios::binary) << batch::GzipForTest("{}\n").substr(0, 12);
    Put(day + "/part-9-truncated.gz", bad);
    const std::string plain = (dir_.path() / "plain.json").string();
    std::ofstream(plain) << "{\"collector_tstamp\": \"2021-01-01T00:00:00Z\"}\n";
    Put(day + "/part-9-plain.json", plain);
  }

  std::vector<std::string> BatchArgs() {
    return {"batch",
            "--profile",
            profile_,
            "--data-dir",
            data_dir_,
            "--set",
            "s3.endpoint=" + s3_->endpoint(),
            "--set",
            "s3.bucket=snowplow",
            "--set",
            "batch.articles_file=" + articles_,
            "--set",
            "grpc.enabled=false",
            "--set",
            "metrics.enabled=false"};
  }

  json GetJson(const std::string& address, const std::string& target, int want = 200) {
    const CurlResult r = Curl(absl::StrCat("'http://", address, target, "'"));
    EXPECT_EQ(r.status, want) << target << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // The external ids of /recs?source_entity_id=<source>.
  std::vector<int64_t> Recs(const std::string& address, int source) {
    const json j = GetJson(address, absl::StrCat("/recs?source_entity_id=", source));
    std::vector<int64_t> out;
    for (const json& r : j["results"]) {
      EXPECT_EQ(r["source_entity_id"], std::to_string(source));
      EXPECT_EQ(r["model"]["type"], "article");
      out.push_back(r["recommended_article"]["external_id"].get<int64_t>());
    }
    return out;
  }

  // (id, status) of /models?type=<type>, by id.
  std::vector<std::pair<int64_t, std::string>> Models(const std::string& address,
                                                      const std::string& type) {
    const json j = GetJson(address, "/models?order_by=asc&type=" + type);
    std::vector<std::pair<int64_t, std::string>> out;
    for (const json& m : j["results"]) {
      out.emplace_back(m["id"].get<int64_t>(), m["status"].get<std::string>());
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<S3rver> s3_;
  std::string data_dir_, articles_, profile_;
};

TEST_F(ArticleRecE2eTest, BatchServeSecondBatchAndSetCurrent) {
  UploadEvents();
  std::string output;
  ASSERT_EQ(RunRecplat(BatchArgs(), 120, &output), 0) << output;
  EXPECT_NE(output.find("recplat_batch_objects_total{result=\"truncated\"} 1"), std::string::npos)
      << output;
  EXPECT_NE(output.find("recplat_batch_objects_total{result=\"uncompressed\"} 1"),
            std::string::npos);  // the .json object that is not gzip
  EXPECT_NE(output.find("article_rec batch: train_article"), std::string::npos) << output;

  setenv("ADMIN_TOKEN", "s3cret", 1);
  auto server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--profile", profile_, "--data-dir", data_dir_, "--set",
                               "metrics.enabled=false", "--set", "registry.poll_seconds=0.5"});
  ASSERT_TRUE(server->Start()) << server->ReadStderr();
  const std::string http = server->http_address();
  EXPECT_EQ(Curl("http://" + http + "/health").body, "OK");
  EXPECT_EQ(Recs(http, 11).front(), 12);
  EXPECT_EQ(Recs(http, 13).front(), 14);
  EXPECT_EQ(Models(http, "article"), (std::vector<std::pair<int64_t, std::string>>{{2, "current"}}));
  EXPECT_EQ(Models(http, "popularity"),
            (std::vector<std::pair<int64_t, std::string>>{{3, "current"}}));
  // An unknown article: the popularity fallback.
  const json fallback = GetJson(http, "/recs?source_entity_id=999&size=2");
  ASSERT_EQ(fallback["results"].size(), 2u);
  EXPECT_EQ(fallback["results"][0]["model"]["type"], "popularity");
  GetJson(http, "/recs?source_entity_id=abc", 400);
  GetJson(http, "/recs?size=500", 400);
  const CurlResult unknown = Curl("-i http://" + http + "/nowhere");
  EXPECT_NE(unknown.body.find("Access-Control-Allow-Origin: *"), std::string::npos);
  EXPECT_NE(unknown.body.find("{\"message\":\"NOT_FOUND\"}"), std::string::npos);
  // A refusal of the HTTP server itself (headers too large) carries the CORS header too.
  const CurlResult refused =
      Curl("-i -H 'X-Big: " + std::string(20000, 'a') + "' http://" + http + "/health");
  EXPECT_EQ(refused.status, 431) << refused.body;
  EXPECT_NE(refused.body.find("Access-Control-Allow-Origin: *"), std::string::npos)
      << refused.body;

  // The second batch, through the running server's Api: found by itself (the server holds the
  // data directory and left its gRPC address there).
  ASSERT_EQ(RunRecplat(BatchArgs(), 120, &output), 0) << output;
  EXPECT_NE(output.find("using the server at " + server->grpc_address()), std::string::npos)
      << output;
  EXPECT_EQ(Models(http, "article"),
            (std::vector<std::pair<int64_t, std::string>>{{2, "stale"}, {4, "current"}}));
  EXPECT_EQ(Models(http, "popularity"),
            (std::vector<std::pair<int64_t, std::string>>{{3, "stale"}, {5, "current"}}));
  EXPECT_EQ(GetJson(http, "/recs?source_entity_id=11")["results"][0]["model"]["id"], 4);
  // The first, now stale, article model answers its own stored recs (read-only).
  const json stale = GetJson(http, "/recs?source_entity_id=11&model_id=2");
  ASSERT_FALSE(stale["results"].empty()) << stale;
  EXPECT_EQ(stale["results"][0]["model"]["id"], 2);
  EXPECT_EQ(stale["results"][0]["model"]["status"], "stale");
  EXPECT_EQ(stale["results"][0]["recommended_article"]["external_id"], 12);
  // So does the stale popularity model (its default recs; the fallback would be model 5's).
  const json stale_popular = GetJson(http, "/recs?model_id=3");
  ASSERT_FALSE(stale_popular["results"].empty()) << stale_popular;
  for (const json& rec : stale_popular["results"]) {
    EXPECT_EQ(rec["model"]["id"], 3) << rec;
    EXPECT_EQ(rec["model"]["status"], "stale") << rec;
    EXPECT_EQ(rec["source_entity_id"], "default") << rec;
  }
  EXPECT_EQ(Models(http, "article"),
            (std::vector<std::pair<int64_t, std::string>>{{2, "stale"}, {4, "current"}}));

  // set_current: the token is checked before the lookup.
  const std::string patch = "-X PATCH 'http://" + http + "/models/2/set_current'";
  CurlResult r = Curl(patch);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "{\"message\":\"MISSING_ADMIN_TOKEN\"}");
  r = Curl("-H 'Authorization: wrong' " + patch);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "{\"message\":\"INVALID_ADMIN_TOKEN\"}");
  r = Curl("-H 'Authorization: wrong' -X PATCH 'http://" + http + "/models/99/set_current'");
  EXPECT_EQ(r.status, 403);
  r = Curl("-H 'Authorization: s3cret' -X PATCH 'http://" + http + "/models/99/set_current'");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"message\":\"RESOURCE DOES NOT EXIST\"}");
  r = Curl("-H 'Authorization: s3cret' " + patch);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "current");
  EXPECT_EQ(Models(http, "article"),
            (std::vector<std::pair<int64_t, std::string>>{{2, "current"}, {4, "stale"}}));
  EXPECT_EQ(GetJson(http, "/recs?source_entity_id=11")["results"][0]["model"]["id"], 2);

  // A restart serves the same.
  EXPECT_EQ(server->Terminate(), 0);
  server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--profile", profile_, "--data-dir", data_dir_, "--set",
                               "metrics.enabled=false"});
  ASSERT_TRUE(server->Start()) << server->ReadStderr();
  EXPECT_EQ(Models(server->http_address(), "article"),
            (std::vector<std::pair<int64_t, std::string>>{{2, "current"}, {4, "stale"}}));
  EXPECT_EQ(Recs(server->http_address(), 11).front(), 12);
  unsetenv("ADMIN_TOKEN");
}

// A run that fails before training (a missing articles file, a store that does not answer)
// exits non-zero and leaves one failed version of each model; a later run numbers above them.
TEST_F(ArticleRecE2eTest, BatchThatFailsBeforeTrainingRecordsFailedModels) {
  UploadEvents();
  std::string output;
  std::vector<std::string> missing = BatchArgs();
  missing.push_back("--set");
  missing.push_back("batch.articles_file=" + (dir_.path() / "absent.jsonl").string());
  EXPECT_NE(RunRecplat(missing, 120, &output), 0) << output;
  EXPECT_NE(output.find("article_rec batch: record_failure"), std::string::npos) << output;

  std::vector<std::string> unreachable = BatchArgs();
  unreachable.push_back("--set");
  unreachable.push_back("s3.endpoint=http://127.0.0.1:1");
  EXPECT_NE(RunRecplat(unreachable, 120, &output), 0) << output;
  ASSERT_EQ(RunRecplat(BatchArgs(), 120, &output), 0) << output;

  auto server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--profile", profile_, "--data-dir", data_dir_, "--set",
                               "metrics.enabled=false"});
  ASSERT_TRUE(server->Start()) << server->ReadStderr();
  const std::string http = server->http_address();
  EXPECT_EQ(Models(http, "article"),
            (std::vector<std::pair<int64_t, std::string>>{{2, "failed"}, {4, "failed"},
                                                          {6, "current"}}));
  EXPECT_EQ(Models(http, "popularity"),
            (std::vector<std::pair<int64_t, std::string>>{{3, "failed"}, {5, "failed"},
                                                          {7, "current"}}));
  const json failed = GetJson(http, "/models?status=failed&type=article&order_by=asc");
  ASSERT_EQ(failed["results"].size(), 2u);
  EXPECT_EQ(server->Terminate(), 0);
}

}  // namespace
}  // namespace recplat::testing
