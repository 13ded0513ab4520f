#include "core/common/s3/s3_client.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/common/s3/capture_server.h"
#include "tests/core/common/s3/sigv4_verifier.h"
#include "tests/testing/s3rver.h"
#include "tests/testing/status_matchers.h"

namespace recplat::s3 {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::CapturedRequest;
using test::CaptureServer;
using test::Answer;
using test::Reply;

constexpr char kKeyId[] = "AKIDRECPLATTEST";
constexpr char kSecret[] = "secret/with+special=chars";

S3ClientOptions FastOptions(const std::string& endpoint) {
  S3ClientOptions options;
  options.endpoint = endpoint;
  options.bucket = "models";
  options.region = "eu-west-1";
  options.credentials = {kKeyId, kSecret, ""};
  options.max_attempts = 3;
  options.initial_backoff = absl::Milliseconds(1);
  options.max_backoff = absl::Milliseconds(5);
  options.request_timeout = absl::Seconds(10);
  return options;
}

// The verifier itself, on AWS's published example (GET Object with a Range header).
TEST(SigV4VerifierTest, ReproducesAwsPublishedExample) {
  CapturedRequest request;
  request.method = "GET";
  request.target = "/test.txt";
  request.headers = {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"range", "bytes=0-9"},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"x-amz-date", "20130524T000000Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=x"}};
  ASSERT_OK_AND_ASSIGN(std::string signature,
                       test::ExpectedSignature(request, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
  EXPECT_EQ(signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// libcurl, driven by the client, signs AWS's worked example (GET Object with a Range header,
// virtual-hosted, 2013-05-24) byte for byte: the Authorization header of the documentation.
TEST(S3ClientSigningTest, SignsAwsWorkedExampleExactly) {
  CaptureServer server;
  S3ClientOptions options;
  options.endpoint = "http://s3.amazonaws.com";
  options.bucket = "examplebucket";
  options.path_style = false;
  options.region = "us-east-1";
  options.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  options.connect_to = {absl::StrCat("examplebucket.s3.amazonaws.com:80:127.0.0.1:",
                                     server.endpoint().substr(server.endpoint().rfind(':') + 1))};
  options.signing_clock = [] { return absl::FromUnixSeconds(1369353600); };  // 2013-05-24
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client, S3Client::Create(options));
  server.Script({Answer(206, "0123456789")});
  ASSERT_OK_AND_ASSIGN(std::string bytes, client->GetObjectRange("test.txt", 0, 9));
  EXPECT_EQ(bytes, "0123456789");
  ASSERT_EQ(server.requests().size(), 1u);
  const CapturedRequest request = server.requests()[0];
  EXPECT_EQ(request.target, "/test.txt");
  EXPECT_EQ(request.headers.at("host"), "examplebucket.s3.amazonaws.com")
      << ::testing::PrintToString(request.headers);
  EXPECT_EQ(request.headers.at("authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3ClientRangeTest, RangesFromStoresThatHonourOrIgnoreThem) {
  CaptureServer server;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client,
                       S3Client::Create(FastOptions(server.endpoint())));
  server.Script({Answer(206, "cd"), Answer(200, "abcdef"), Answer(200, "ab")});
  ASSERT_OK_AND_ASSIGN(std::string honoured, client->GetObjectRange("k", 2, 3));
  EXPECT_EQ(honoured, "cd");
  EXPECT_EQ(server.requests().at(0).headers.at("range"), "bytes=2-3");
  ASSERT_OK_AND_ASSIGN(std::string sliced, client->GetObjectRange("k", 2, 3));
  EXPECT_EQ(sliced, "cd");
  EXPECT_THAT(client->GetObjectRange("k", 5, 9), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(client->GetObjectRange("k", 3, 2), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(UriEncodeTest, EncodesAsSigV4Wants) {
  EXPECT_EQ(UriEncode("a b/c+d%e~f_g.h-i", true), "a%20b/c%2Bd%25e~f_g.h-i");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("caf\xC3\xA9", true), "caf%C3%A9");
}

TEST(S3ClientCreateTest, RefusesBadSettingsNamingThem) {
  S3ClientOptions options = FastOptions("ftp://x");
  EXPECT_THAT(S3Client::Create(options), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  HasSubstr("http:// or https://")));
  options = FastOptions("http://127.0.0.1:9000/path");
  EXPECT_THAT(S3Client::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scheme://host[:port]")));
  options = FastOptions("http://127.0.0.1:9000");
  options.bucket = "Bad/Bucket";
  EXPECT_THAT(S3Client::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bucket 'Bad/Bucket'")));
  options = FastOptions("http://127.0.0.1:9000");
  options.max_attempts = 0;
  EXPECT_THAT(S3Client::Create(options), StatusIs(absl::StatusCode::kInvalidArgument));
  options = FastOptions("http://127.0.0.1:9000");
  options.credentials.secret_access_key.clear();
  EXPECT_THAT(S3Client::Create(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Every request kind, signed by libcurl, verified by the independent verifier: keys and
// prefixes with characters that need encoding, a body, a session token.
TEST(S3ClientSigningTest, EveryOperationIsCorrectlySigned) {
  CaptureServer server;
  S3ClientOptions options = FastOptions(server.endpoint());
  options.credentials.session_token = "session/token+1=";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client, S3Client::Create(options));
  const std::string listing =
      "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
  server.Script({Answer(200), Answer(200), Answer(200, listing), Answer(204),
                 Answer(200, "", {{"ETag", "\"abc\""}}, 7)});
  const std::string key = "models/tenant a/caf\xC3\xA9+v1 (copy)?.bin";
  ASSERT_OK(client->PutObject(key, std::string("binary\0data", 11)));
  ASSERT_OK(client->GetObject(key).status());
  ASSERT_OK(client->ListObjectsPage("enriched/good/2026/12/06 x+y", "tok/en=+", 1000, "/").status());
  ASSERT_OK(client->DeleteObject(key));
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, client->HeadObject(key));
  EXPECT_EQ(info.size, 7);
  EXPECT_EQ(info.etag, "abc");
  std::vector<CapturedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].body, std::string("binary\0data", 11));
  EXPECT_EQ(requests[0].target, "/models/models/tenant%20a/caf%C3%A9%2Bv1%20%28copy%29%3F.bin");
  EXPECT_EQ(requests[2].method, "GET");
  EXPECT_THAT(requests[2].target, HasSubstr("list-type=2"));
  EXPECT_EQ(requests[3].method, "DELETE");
  EXPECT_EQ(requests[4].method, "HEAD");
  for (const CapturedRequest& request : requests) {
    EXPECT_EQ(request.headers.at("x-amz-security-token"), "session/token+1=");
    EXPECT_OK(test::VerifySignature(request, kKeyId, kSecret, "eu-west-1"))
        << request.method << " " << request.target;
  }
  // A wrong secret does not verify: the check can fail.
  EXPECT_THAT(test::VerifySignature(requests[0], kKeyId, "other", "eu-west-1"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(S3ClientSigningTest, VirtualHostedAddressingAndAnonymousRequests) {
  CaptureServer server;
  S3ClientOptions options = FastOptions(server.endpoint());
  options.path_style = false;
  options.credentials = {};
  // The host is models.127.0.0.1:PORT, which does not resolve: connect through the server.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client, S3Client::Create(options));
  EXPECT_EQ(client->ObjectUrl("a b"),
            absl::StrCat("http://models.", server.endpoint().substr(7), "/a%20b"));
  options.path_style = true;
  ASSERT_OK_AND_ASSIGN(client, S3Client::Create(options));
  server.Script({Answer(200, "x")});
  ASSERT_OK(client->GetObject("k").status());
  EXPECT_EQ(server.requests().at(0).headers.count("authorization"), 0u);
}

TEST(S3ClientRetryTest, RetriesTransientFailuresThenSucceeds) {
  CaptureServer server;
  std::vector<RequestRecord> records;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client,
                       S3Client::Create(FastOptions(server.endpoint()),
                                        [&records](const RequestRecord& r) { records.push_back(r); }));
  server.Script({Answer(503, "<Error><Code>SlowDown</Code></Error>"),
                 Answer(200, "0123456789", {}, 20),  // truncated
                 Answer(200, "payload")});
  ASSERT_OK_AND_ASSIGN(std::string body, client->GetObject("a"));
  EXPECT_EQ(body, "payload");
  EXPECT_EQ(server.requests().size(), 3u);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].operation, "GetObject");
  EXPECT_EQ(records[0].attempts, 3);
  EXPECT_EQ(records[0].http_status, 200);
}

TEST(S3ClientRetryTest, GivesUpAfterMaxAttemptsWithWhatTheStoreSaid) {
  CaptureServer server;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client,
                       S3Client::Create(FastOptions(server.endpoint())));
  Reply busy = Answer(503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
  server.Script({busy, busy, busy, busy});
  EXPECT_THAT(client->PutObject("a", "x"),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("HTTP 503 SlowDown: Please reduce"),
                             HasSubstr("after 3 attempts"), HasSubstr("models/a"))));
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(S3ClientErrorsTest, ClientErrorsAreNotRetriedAndMapToStatusCodes) {
  CaptureServer server;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client,
                       S3Client::Create(FastOptions(server.endpoint())));
  server.Script({Answer(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not "
                               "exist.</Message></Error>"),
                 Answer(403, "<Error><Code>AccessDenied</Code></Error>"),
                 Answer(400, "<Error><Code>InvalidArgument</Code></Error>"),
                 Answer(404)});
  EXPECT_THAT(client->GetObject("missing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("NoSuchKey")));
  EXPECT_THAT(client->GetObject("secret"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("AccessDenied")));
  EXPECT_THAT(client->PutObject("bad", "x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client->HeadObject("gone"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(S3ClientErrorsTest, OversizedAnswersAndUnreachableStores) {
  CaptureServer server;
  S3ClientOptions options = FastOptions(server.endpoint());
  options.max_object_bytes = 100;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> client, S3Client::Create(options));
  server.Script({Answer(200, std::string(1000, 'x'))});
  EXPECT_THAT(client->GetObject("big"),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("larger than 100")));
  server.Script({Answer(200, "<html>not a listing</html>")});
  EXPECT_THAT(client->ListObjectsPage("", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ListBucketResult")));
  // A port nobody listens on (the capture server's, once it is gone).
  std::string endpoint;
  {
    CaptureServer gone;
    endpoint = gone.endpoint();
  }
  ASSERT_OK_AND_ASSIGN(client, S3Client::Create(FastOptions(endpoint)));
  EXPECT_THAT(client->GetObject("a"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("after 3 attempts")));
}

// Against a real S3-compatible store (s3rver): the whole object life cycle and pagination.
class S3ClientS3rverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, testing::S3rver::Start({"events"}));
    S3ClientOptions options;
    options.endpoint = server_->endpoint();
    options.bucket = "events";
    options.credentials = {testing::S3rver::kAccessKeyId, testing::S3rver::kSecretAccessKey, ""};
    options.initial_backoff = absl::Milliseconds(10);
    ASSERT_OK_AND_ASSIGN(client_, S3Client::Create(options));
  }
  std::unique_ptr<testing::S3rver> server_;
  std::unique_ptr<S3Client> client_;
};

TEST_F(S3ClientS3rverTest, PutGetHeadDeleteRoundTrip) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data.push_back(static_cast<char>(i * 7));
  const std::string key = "models/tenant a/ease+v1 \xC3\xA9.bin";
  ASSERT_OK(client_->PutObject(key, data));
  ASSERT_OK_AND_ASSIGN(std::string read, client_->GetObject(key));
  EXPECT_EQ(read, data);
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, client_->HeadObject(key));
  EXPECT_EQ(info.size, static_cast<int64_t>(data.size()));
  EXPECT_EQ(info.etag.size(), 32u);  // the MD5 of a single-part upload
  ASSERT_OK(client_->DeleteObject(key));
  EXPECT_THAT(client_->GetObject(key), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(client_->HeadObject(key), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(client_->DeleteObject(key));  // deleting a missing object is fine
}

TEST_F(S3ClientS3rverTest, ListsEveryPageAndCommonPrefixes) {
  for (int day = 4; day <= 6; ++day) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK(client_->PutObject(absl::StrCat("enriched/good/2026/12/0", day, "/part ", i, ".gz"),
                                   absl::StrCat(day, i)));
    }
  }
  ASSERT_OK(client_->PutObject("enriched/bad/x.gz", "x"));
  ASSERT_OK_AND_ASSIGN(ListPage first, client_->ListObjectsPage("enriched/good/2026/12/05/", "", 2));
  EXPECT_TRUE(first.truncated);
  ASSERT_EQ(first.objects.size(), 2u);
  ASSERT_OK_AND_ASSIGN(ListPage second, client_->ListObjectsPage("enriched/good/2026/12/05/",
                                                                 first.next_continuation_token, 2));
  EXPECT_FALSE(second.truncated);
  ASSERT_EQ(second.objects.size(), 1u);
  EXPECT_EQ(second.objects[0].key, "enriched/good/2026/12/05/part 2.gz");
  ASSERT_OK_AND_ASSIGN(std::vector<ObjectInfo> all, client_->ListAllObjects("enriched/good/"));
  EXPECT_EQ(all.size(), 9u);
  EXPECT_EQ(all[0].key, "enriched/good/2026/12/04/part 0.gz");
  EXPECT_EQ(all[0].size, 2);
  ASSERT_OK_AND_ASSIGN(ListPage days, client_->ListObjectsPage("enriched/good/2026/12/", "", 1000, "/"));
  EXPECT_THAT(days.common_prefixes, ElementsAre("enriched/good/2026/12/04/", "enriched/good/2026/12/05/",
                                                "enriched/good/2026/12/06/"));
  EXPECT_THAT(client_->ListAllObjects("enriched/", 5),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(S3ClientS3rverTest, CreateBucketIsIdempotentAndMissingBucketsAreNotFound) {
  S3ClientOptions options = client_->options();
  options.bucket = "new-bucket";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Client> other, S3Client::Create(options));
  EXPECT_THAT(other->PutObject("a", "b"), StatusIs(absl::StatusCode::kNotFound,
                                                   HasSubstr("NoSuchBucket")));
  ASSERT_OK(other->CreateBucket());
  ASSERT_OK(other->CreateBucket());
  ASSERT_OK(other->PutObject("a", "b"));
  ASSERT_OK_AND_ASSIGN(std::string read, other->GetObject("a"));
  EXPECT_EQ(read, "b");
}

}  // namespace
}  // namespace recplat::s3
