// The RocksDB log's mirror half (mirrored_event_log.h) and the batch envelope (record_batch.h).
#include "core/log/mirrored_event_log.h"

#include <string>
#include <vector>

#include "core/log/event_log.h"
#include "core/log/record_batch.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::log {
namespace {

using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::HasSubstr;

TEST(RecordBatchTest, RoundTripsRecordsIncludingEmptyAndBinaryOnes) {
  const std::vector<std::string> records = {"a", "", std::string("\0\xff\x01", 3),
                                            std::string(70000, 'x')};
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> back,
                       DecodeRecordBatch(EncodeRecordBatch(records)));
  EXPECT_EQ(back, records);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> none, DecodeRecordBatch(EncodeRecordBatch({})));
  EXPECT_TRUE(none.empty());
}

TEST(RecordBatchTest, RejectsWhatIsNotABatch) {
  EXPECT_THAT(DecodeRecordBatch(""), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeRecordBatch("hello"), StatusIs(absl::StatusCode::kDataLoss));
  std::string body = EncodeRecordBatch({"abcdef"});
  EXPECT_THAT(DecodeRecordBatch(body.substr(0, body.size() - 1)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("past the end")));
  EXPECT_THAT(DecodeRecordBatch(body.substr(0, 3)), StatusIs(absl::StatusCode::kDataLoss));
}

class MirroredLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<MirroredEventLog> Open() {
    auto log = OpenRocksDbMirroredEventLog({.path = (dir_.path() / "log").string()});
    EXPECT_OK(log);
    return log.ok() ? *std::move(log) : nullptr;
  }
  TempDir dir_;
};

TEST_F(MirroredLogTest, StoresTheSourceSequenceWithTheRecordsAcrossReopen) {
  {
    auto log = Open();
    EXPECT_EQ(log->SourceSequence(), 0u);
    ASSERT_OK_AND_ASSIGN(uint64_t first, log->AppendMirrored({"a", "b"}, 1));
    EXPECT_EQ(first, 0u);
    // A message without records still advances the position.
    ASSERT_OK_AND_ASSIGN(uint64_t empty, log->AppendMirrored({}, 2));
    EXPECT_EQ(empty, 2u);
    ASSERT_OK_AND_ASSIGN(uint64_t third, log->AppendMirrored({"c"}, 5));
    EXPECT_EQ(third, 2u);
    EXPECT_EQ(log->SourceSequence(), 5u);
  }
  auto log = Open();
  EXPECT_EQ(log->SourceSequence(), 5u);
  EXPECT_EQ(log->NextOffset(), 3u);
  std::vector<std::string> all;
  ASSERT_OK(log->Read(0, 10, [&](uint64_t, absl::string_view b) {
    all.emplace_back(b);
    return absl::OkStatus();
  }));
  EXPECT_EQ(all, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(MirroredLogTest, CopiesEachSourceMessageOnceInOrder) {
  auto log = Open();
  ASSERT_OK(log->AppendMirrored({"a"}, 3).status());
  EXPECT_THAT(log->AppendMirrored({"again"}, 3), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(log->AppendMirrored({"older"}, 2), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(log->NextOffset(), 1u);
}

TEST_F(MirroredLogTest, AMirroringLogRefusesLocalAppendsEvenWhenOpenedPlain) {
  { ASSERT_OK(Open()->AppendMirrored({"a"}, 1).status()); }
  auto plain = OpenRocksDbEventLog({.path = (dir_.path() / "log").string()});
  ASSERT_OK(plain);
  EXPECT_THAT((*plain)->Append({"local"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("log.backend: jetstream")));
  EXPECT_EQ((*plain)->NextOffset(), 1u);
}

TEST_F(MirroredLogTest, APlainLogOpensAsAMirrorWithSequenceZero) {
  {
    auto plain = OpenRocksDbEventLog({.path = (dir_.path() / "log").string()});
    ASSERT_OK(plain);
    ASSERT_OK((*plain)->Append({"x", "y"}).status());
  }
  auto log = Open();
  EXPECT_EQ(log->SourceSequence(), 0u);
  EXPECT_EQ(log->NextOffset(), 2u);
}

TEST_F(MirroredLogTest, SecondaryModeIsRefused) {
  EXPECT_THAT(OpenRocksDbMirroredEventLog({.path = (dir_.path() / "log").string(),
                                           .secondary = true,
                                           .secondary_path = (dir_.path() / "sec").string()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::log
