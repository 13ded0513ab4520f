// JetStreamEventLog against real nats-server processes (tests/testing/nats_cluster.h): a
// 3-node JetStream cluster with R3 streams, and a single node for the outage tests.
#include "core/log/jetstream_event_log.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/log/mirrored_event_log.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "tests/testing/test_pki.h"

namespace recplat::log {
namespace {

using ::recplat::testing::NatsCluster;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::HasSubstr;

std::vector<std::string> ReadAll(const EventLog& log) {
  std::vector<std::string> out;
  EXPECT_OK(log.Read(0, 1000000, [&](uint64_t offset, absl::string_view bytes) {
    EXPECT_EQ(offset, out.size());
    out.emplace_back(bytes);
    return absl::OkStatus();
  }));
  return out;
}

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// Opens a JetStream log over stream `stream` of `urls`, its local copy in `dir`.
absl::StatusOr<std::unique_ptr<JetStreamEventLog>> OpenLog(const std::filesystem::path& dir,
                                                           const std::vector<std::string>& urls,
                                                           const std::string& stream,
                                                           int replicas = 3) {
  std::filesystem::create_directories(dir);
  auto local = OpenRocksDbMirroredEventLog({.path = (dir / "log").string(), .sync = false});
  if (!local.ok()) return local.status();
  JetStreamOptions o;
  o.servers = urls;
  o.stream = stream;
  o.replicas = replicas;
  o.ack_timeout = absl::Seconds(5);
  o.connect_timeout = absl::Milliseconds(500);
  return JetStreamEventLog::Create(std::move(o), *std::move(local));
}

// Appends, retrying UNAVAILABLE for up to 20 s (a stream being created or electing a leader).
absl::StatusOr<uint64_t> AppendEventually(JetStreamEventLog& log,
                                          const std::vector<std::string>& records) {
  absl::StatusOr<uint64_t> r;
  WaitUntil(
      [&] {
        r = log.Append(records);
        return !absl::IsUnavailable(r.status());
      },
      absl::Seconds(20));
  return r;
}

// Appends `records` with message id `id` as a client should: a timeout (UNAVAILABLE: the stream
// did not acknowledge; DEADLINE_EXCEEDED: the local copy did not catch up) is retried with the
// same id, which the stream de-duplicates, for up to 20 s.
absl::StatusOr<uint64_t> AppendOnce(JetStreamEventLog& log, const std::vector<std::string>& records,
                                    const std::string& id) {
  absl::StatusOr<uint64_t> r;
  WaitUntil(
      [&] {
        r = log.AppendWithMsgId(records, id);
        return !absl::IsUnavailable(r.status()) && !absl::IsDeadlineExceeded(r.status());
      },
      absl::Seconds(20));
  return r;
}

class JetStreamLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!NatsCluster::Available()) return;
    auto c = NatsCluster::Start(3);
    ASSERT_OK(c);
    cluster_ = c->release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (!NatsCluster::Available()) {
      GTEST_SKIP() << NatsCluster::kServerBinary << " is not installed";
    }
    ASSERT_NE(cluster_, nullptr);
    stream_ = absl::StrCat("t", ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  static NatsCluster* cluster_;
  std::string stream_;
  TempDir dir_;
};
NatsCluster* JetStreamLogTest::cluster_ = nullptr;

TEST_F(JetStreamLogTest, AppendsGetConsecutiveOffsetsAndReadBack) {
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(dir_.path() / "a", cluster_->Urls(), stream_));
  ASSERT_OK_AND_ASSIGN(uint64_t first, AppendEventually(*log, {"a", "b"}));
  EXPECT_EQ(first, 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t second, log->Append({"c"}));
  EXPECT_EQ(second, 2u);
  EXPECT_EQ(log->NextOffset(), 3u);
  EXPECT_EQ(ReadAll(*log), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(log->WaitForOffset(2, absl::ZeroDuration()));
  EXPECT_FALSE(log->WaitForOffset(3, absl::Milliseconds(10)));
  EXPECT_THAT(log->Append({}), StatusIs(absl::StatusCode::kInvalidArgument));
  const JetStreamStats st = log->Stats();
  EXPECT_TRUE(st.connected);
  EXPECT_EQ(st.mirrored_seq, 2u);
}

TEST_F(JetStreamLogTest, ARetryWithTheSameMessageIdAppliesOnce) {
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(dir_.path() / "a", cluster_->Urls(), stream_));
  ASSERT_OK(AppendEventually(*log, {"before"}).status());
  ASSERT_OK_AND_ASSIGN(uint64_t first, log->AppendWithMsgId({"x", "y"}, "client-req-1"));
  ASSERT_OK_AND_ASSIGN(uint64_t again, log->AppendWithMsgId({"x", "y"}, "client-req-1"));
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(again, first);
  ASSERT_OK_AND_ASSIGN(uint64_t other, log->AppendWithMsgId({"z"}, "client-req-2"));
  EXPECT_EQ(other, 3u);
  EXPECT_EQ(ReadAll(*log), (std::vector<std::string>{"before", "x", "y", "z"}));
  EXPECT_THAT(log->AppendWithMsgId({"x"}, ""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(JetStreamLogTest, TwoReplicasOverOneStreamHoldIdenticalOffsetsAndRecords) {
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog(dir_.path() / "a", cluster_->Urls(), stream_));
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog(dir_.path() / "b", cluster_->Urls(), stream_));
  ASSERT_OK(AppendEventually(*a, {"warmup"}).status());
  constexpr int kPerWriter = 40;
  std::atomic<int> failures{0};
  // Each writer checks that the offset it got holds its record in its own copy. A timed-out
  // append is retried with its message id (a loaded machine), so each lands exactly once.
  auto writer = [&](JetStreamEventLog* log, const std::string& name) {
    for (int i = 0; i < kPerWriter; ++i) {
      const std::string r0 = absl::StrCat(name, "-", i, "-0");
      const std::string r1 = absl::StrCat(name, "-", i, "-1");
      absl::StatusOr<uint64_t> first = AppendOnce(*log, {r0, r1}, absl::StrCat(name, "-", i));
      if (!first.ok()) {
        ++failures;
        continue;
      }
      std::string got;
      (void)log->Read(*first, 1, [&](uint64_t, absl::string_view bytes) {
        got = std::string(bytes);
        return absl::OkStatus();
      });
      if (got != r0) ++failures;
    }
  };
  std::thread ta(writer, a.get(), "a");
  std::thread tb(writer, b.get(), "b");
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  const uint64_t total = 1 + 2 * 2 * kPerWriter;
  ASSERT_TRUE(WaitUntil([&] { return a->NextOffset() == total && b->NextOffset() == total; },
                        absl::Seconds(10)));
  const std::vector<std::string> ra = ReadAll(*a);
  EXPECT_EQ(ra, ReadAll(*b));
  EXPECT_EQ(std::set<std::string>(ra.begin(), ra.end()).size(), ra.size());
  // A third replica started afterwards rebuilds the same copy from the stream.
  ASSERT_OK_AND_ASSIGN(auto c, OpenLog(dir_.path() / "c", cluster_->Urls(), stream_));
  ASSERT_TRUE(WaitUntil([&] { return c->NextOffset() == total; }, absl::Seconds(10)));
  EXPECT_EQ(ReadAll(*c), ra);
}

TEST_F(JetStreamLogTest, ARestartedReplicaResumesExactlyOnce) {
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog(dir_.path() / "b", cluster_->Urls(), stream_));
  {
    ASSERT_OK_AND_ASSIGN(auto a, OpenLog(dir_.path() / "a", cluster_->Urls(), stream_));
    ASSERT_OK(AppendEventually(*a, {"1", "2"}).status());
    ASSERT_OK(a->Append({"3"}).status());
  }
  // Written while `a` is down.
  ASSERT_OK(b->Append({"4"}).status());
  ASSERT_OK(b->Append({"5", "6"}).status());
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog(dir_.path() / "a", cluster_->Urls(), stream_));
  ASSERT_TRUE(WaitUntil([&] { return a->NextOffset() >= 6; }, absl::Seconds(10)));
  ASSERT_OK_AND_ASSIGN(uint64_t next, a->Append({"7"}));
  EXPECT_EQ(next, 6u);
  EXPECT_EQ(ReadAll(*a), (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_EQ(a->Stats().mirrored_seq, 5u);
}

TEST_F(JetStreamLogTest, ALocalLogWrittenWithoutTheStreamIsRefused) {
  {
    std::filesystem::create_directories(dir_.path() / "a");
    auto plain = OpenRocksDbEventLog({.path = (dir_.path() / "a" / "log").string()});
    ASSERT_OK(plain);
    ASSERT_OK((*plain)->Append({"local"}).status());
  }
  EXPECT_THAT(OpenLog(dir_.path() / "a", cluster_->Urls(), stream_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("empty data_dir")));
}

TEST(JetStreamLogOutageTest, UnreachableServersAtStartAreNotFatal) {
  TempDir dir;
  // Nothing listens on port 1.
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(dir.path(), {"nats://127.0.0.1:1"}, "s"));
  EXPECT_FALSE(log->Stats().connected);
  EXPECT_THAT(log->Append({"x"}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("nats://127.0.0.1:1")));
  EXPECT_EQ(log->NextOffset(), 0u);
  EXPECT_TRUE(ReadAll(*log).empty());
}

TEST(JetStreamLogOutageTest, BadOptionsAreInvalidArgument) {
  TempDir dir;
  EXPECT_THAT(OpenLog(dir.path() / "a", {}, "s"), StatusIs(absl::StatusCode::kInvalidArgument));
  auto local = OpenRocksDbMirroredEventLog({.path = (dir.path() / "b").string()});
  ASSERT_OK(local);
  JetStreamOptions o;
  o.servers = {"nats://127.0.0.1:1"};
  o.credentials_file = (dir.path() / "missing.creds").string();
  EXPECT_THAT(JetStreamEventLog::Create(o, *std::move(local)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("credentials_file")));
}

TEST(JetStreamLogOutageTest, NatsDownFailsAppendsKeepsReadsAndRecovers) {
  if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kServerBinary << " is not installed";
  ASSERT_OK_AND_ASSIGN(auto cluster, NatsCluster::Start(1));
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(dir.path(), cluster->Urls(), "outage", /*replicas=*/1));
  ASSERT_OK(AppendEventually(*log, {"a"}).status());
  cluster->Kill(0);
  ASSERT_TRUE(WaitUntil([&] { return !log->Stats().connected; }, absl::Seconds(10)));
  EXPECT_THAT(log->Append({"lost"}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr(cluster->Url(0))));
  EXPECT_EQ(ReadAll(*log), (std::vector<std::string>{"a"}));
  ASSERT_OK(cluster->Restart(0));
  ASSERT_OK(cluster->WaitHealthy());
  ASSERT_OK_AND_ASSIGN(uint64_t next, AppendEventually(*log, {"b"}));
  EXPECT_EQ(next, 1u);
  EXPECT_EQ(ReadAll(*log), (std::vector<std::string>{"a", "b"}));
}

// nats.tls.*: a server that requires TLS with client certificates accepts the log with the CA
// and a client certificate, and a log without them cannot write.
TEST(JetStreamLogTlsTest, TlsWithClientCertificates) {
  if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kServerBinary << " is not installed";
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(recplat::testing::TestPki pki, recplat::testing::MakeTestPki());
  std::filesystem::create_directories(dir.path() / "pki");
  ASSERT_TRUE(pki.WriteTo(dir.path() / "pki"));
  ASSERT_OK_AND_ASSIGN(auto cluster, NatsCluster::Start(1, (dir.path() / "pki").string()));
  std::filesystem::create_directories(dir.path() / "a");
  auto local = OpenRocksDbMirroredEventLog({.path = (dir.path() / "a" / "log").string()});
  ASSERT_OK(local);
  JetStreamOptions o;
  o.servers = cluster->Urls();
  o.stream = "tls";
  o.replicas = 1;
  o.tls_ca_file = (dir.path() / "pki" / "ca.pem").string();
  o.tls_cert_file = (dir.path() / "pki" / "client.pem").string();
  o.tls_key_file = (dir.path() / "pki" / "client.key").string();
  ASSERT_OK_AND_ASSIGN(auto log, JetStreamEventLog::Create(o, *std::move(local)));
  ASSERT_OK_AND_ASSIGN(uint64_t first, AppendEventually(*log, {"secure"}));
  EXPECT_EQ(first, 0u);

  ASSERT_OK_AND_ASSIGN(auto plain, OpenLog(dir.path() / "b", cluster->Urls(), "tls", 1));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_FALSE(plain->Stats().connected);
  EXPECT_THAT(plain->Append({"x"}), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace recplat::log
