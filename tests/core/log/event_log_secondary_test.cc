// The RocksDB event log opened as a read-only secondary of a log that another opener (standing
// in for another process) holds: the lock error that tells the caller to do so, what the
// secondary sees, and that it never writes.
#include <memory>
#include <string>
#include <vector>

#include "core/log/event_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::log {
namespace {

using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> ReadAll(const EventLog& log) {
  std::vector<std::string> out;
  EXPECT_OK(log.Read(0, 1000, [&](uint64_t offset, absl::string_view bytes) {
    EXPECT_EQ(offset, out.size());
    out.emplace_back(bytes);
    return absl::OkStatus();
  }));
  return out;
}

class EventLogSecondaryTest : public ::testing::Test {
 protected:
  RocksDbEventLogOptions Primary() const {
    return {.path = (dir_.path() / "log").string(), .sync = true};
  }
  RocksDbEventLogOptions Secondary(const std::string& name = "secondary") const {
    RocksDbEventLogOptions options = Primary();
    options.secondary = true;
    options.secondary_path = (dir_.path() / name).string();
    return options;
  }
  TempDir dir_;
};

TEST_F(EventLogSecondaryTest, ASecondOpenFailsWithFailedPreconditionWhileTheLockIsHeld) {
  ASSERT_OK_AND_ASSIGN(auto primary, OpenRocksDbEventLog(Primary()));
  EXPECT_THAT(OpenRocksDbEventLog(Primary()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("held by another")));
  primary.reset();
  EXPECT_OK(OpenRocksDbEventLog(Primary())) << "the lock is released with the log";
}

TEST_F(EventLogSecondaryTest, SecondarySeesWhatThePrimaryWroteWhenItOpened) {
  ASSERT_OK_AND_ASSIGN(auto primary, OpenRocksDbEventLog(Primary()));
  ASSERT_OK(primary->Append({"a", "b"}));
  ASSERT_OK(primary->Append({"c"}));

  ASSERT_OK_AND_ASSIGN(auto secondary, OpenRocksDbEventLog(Secondary()));
  EXPECT_EQ(secondary->NextOffset(), 3u);
  EXPECT_THAT(ReadAll(*secondary), ElementsAre("a", "b", "c"));

  // Later appends of the primary do not change what this secondary shows...
  ASSERT_OK(primary->Append({"d"}));
  EXPECT_EQ(secondary->NextOffset(), 3u);
  EXPECT_THAT(ReadAll(*secondary), ElementsAre("a", "b", "c"));
  EXPECT_FALSE(secondary->WaitForOffset(3, absl::Milliseconds(10)));
  // ...and a new secondary sees them.
  ASSERT_OK_AND_ASSIGN(auto later, OpenRocksDbEventLog(Secondary("secondary2")));
  EXPECT_THAT(ReadAll(*later), ElementsAre("a", "b", "c", "d"));
}

TEST_F(EventLogSecondaryTest, SecondaryRefusesAppends) {
  ASSERT_OK_AND_ASSIGN(auto primary, OpenRocksDbEventLog(Primary()));
  ASSERT_OK(primary->Append({"a"}));
  ASSERT_OK_AND_ASSIGN(auto secondary, OpenRocksDbEventLog(Secondary()));
  EXPECT_THAT(secondary->Append({"x"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  secondary.reset();
  EXPECT_EQ(primary->NextOffset(), 1u);
  EXPECT_THAT(ReadAll(*primary), ElementsAre("a"));
}

TEST_F(EventLogSecondaryTest, SecondaryNeedsAPathAndAnExistingLog) {
  RocksDbEventLogOptions no_path = Secondary();
  no_path.secondary_path.clear();
  EXPECT_THAT(OpenRocksDbEventLog(no_path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("secondary_path")));
  EXPECT_THAT(OpenRocksDbEventLog(Secondary()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("as a secondary")));
}

}  // namespace
}  // namespace recplat::log
