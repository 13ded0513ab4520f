#include "core/ingest/materializer.h"

#include <thread>

#include "gtest/gtest.h"
#include "recplat/v1/log_record.pb.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::ingest {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::TempDir;

std::string EventRecord(const std::string& user, const std::string& item,
                        const std::string& tenant = "default") {
  v1::LogRecord r;
  r.set_appended_at_ms(1000);
  v1::Event* e = r.mutable_event();
  e->set_tenant(tenant);
  e->set_user_id(user);
  e->set_item_id(item);
  e->set_type("view");
  e->set_timestamp_ms(1000);
  return r.SerializeAsString();
}

class MaterializerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(log_, log::OpenRocksDbEventLog({.path = (dir_.path() / "log").string()}));
    OpenState();
  }
  void OpenState() {
    state_.reset();
    state::StateStoreOptions o;
    o.path = (dir_.path() / "state").string();
    o.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(o));
  }
  uint64_t Events(const std::string& user) {
    std::vector<state::HistoryEntry> h;
    EXPECT_OK(state_->UserHistory("default", user, 1000000, &h));
    return h.size();
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<state::StateStore> state_;
};

TEST_F(MaterializerTest, CatchUpAppliesEverythingInBatches) {
  std::vector<std::string> records;
  for (int i = 0; i < 25; ++i) records.push_back(EventRecord("u", "i" + std::to_string(i % 5)));
  ASSERT_OK(log_->Append(records).status());
  Materializer m(*log_, *state_, {.batch_size = 10});
  std::vector<AppliedBatch> seen;
  m.AddListener([&](const AppliedBatch& b) { seen.push_back(b); });
  ASSERT_OK(m.CatchUp());
  EXPECT_EQ(m.AppliedOffset(), 25u);
  EXPECT_EQ(Events("u"), 25u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first_offset, 0u);
  EXPECT_EQ(seen[0].end_offset, 10u);
  EXPECT_EQ(seen[2].end_offset, 25u);
  EXPECT_EQ(seen[2].events_by_tenant.at("default"), 5u);
}

TEST_F(MaterializerTest, BatchesReportWhatWasApplied) {
  v1::LogRecord dup;
  dup.ParseFromString(EventRecord("u", "a"));
  dup.mutable_event()->set_event_id("e1");
  dup.mutable_event()->set_type("click");
  v1::LogRecord item;
  item.mutable_item_upsert()->set_tenant("t2");
  item.mutable_item_upsert()->set_id("x");
  v1::LogRecord shop;
  shop.mutable_shop_entity()->set_tenant("t2");
  shop.mutable_shop_entity()->mutable_category()->set_id(1);
  ASSERT_OK(log_->Append({EventRecord("u", "a"), dup.SerializeAsString(),
                          dup.SerializeAsString(), item.SerializeAsString(),
                          shop.SerializeAsString()})
                .status());
  Materializer m(*log_, *state_, {});
  std::vector<AppliedBatch> seen;
  m.AddListener([&](const AppliedBatch& b) { seen.push_back(b); });
  ASSERT_OK(m.CatchUp());
  ASSERT_EQ(seen.size(), 1u);
  const AppliedBatch& b = seen[0];
  EXPECT_EQ(b.events_by_tenant.at("default"), 2u);  // The repeated event id counts once.
  EXPECT_EQ(b.events_by_tenant_type.at("default").at("view"), 1u);
  EXPECT_EQ(b.events_by_tenant_type.at("default").at("click"), 1u);
  EXPECT_EQ(b.duplicate_events_by_tenant.at("default"), 1u);
  EXPECT_EQ(b.item_writes_by_tenant.at("t2"), 2u);  // The item upsert and the shop entity.
  EXPECT_FALSE(b.item_writes_by_tenant.contains("default"));
}

TEST_F(MaterializerTest, BackgroundThreadAppliesNewAppends) {
  Materializer m(*log_, *state_, {});
  m.Start();
  ASSERT_OK_AND_ASSIGN(uint64_t first, log_->Append({EventRecord("u", "a"), EventRecord("u", "b")}));
  EXPECT_TRUE(m.WaitApplied(first + 2, absl::Seconds(10)));
  EXPECT_EQ(Events("u"), 2u);
  m.Stop();
  m.Stop();  // Idempotent.
}

TEST_F(MaterializerTest, RestartResumesExactlyAfterTheAppliedOffset) {
  ASSERT_OK(log_->Append({EventRecord("u", "a"), EventRecord("u", "b")}).status());
  {
    Materializer m(*log_, *state_, {});
    ASSERT_OK(m.CatchUp());
  }
  ASSERT_OK(log_->Append({EventRecord("u", "c")}).status());
  OpenState();  // As after a restart.
  Materializer m(*log_, *state_, {});
  EXPECT_EQ(m.AppliedOffset(), 2u);
  ASSERT_OK(m.CatchUp());
  EXPECT_EQ(Events("u"), 3u);  // Each record applied exactly once.
}

TEST_F(MaterializerTest, UndecodableRecordsAreSkippedAndCounted) {
  ASSERT_OK(log_->Append({EventRecord("u", "a"), std::string("\xff\xff\xff", 3),
                          EventRecord("u", "b")})
                .status());
  Materializer m(*log_, *state_, {});
  uint64_t corrupt = 0;
  m.AddListener([&](const AppliedBatch& b) { corrupt += b.corrupt_records; });
  ASSERT_OK(m.CatchUp());
  EXPECT_EQ(corrupt, 1u);
  EXPECT_EQ(m.AppliedOffset(), 3u);
  EXPECT_EQ(Events("u"), 2u);
}

TEST_F(MaterializerTest, WaitAppliedTimesOut) {
  Materializer m(*log_, *state_, {});
  EXPECT_FALSE(m.WaitApplied(1, absl::Milliseconds(20)));
  EXPECT_TRUE(m.WaitApplied(0, absl::Milliseconds(1)));
}

}  // namespace
}  // namespace recplat::ingest
