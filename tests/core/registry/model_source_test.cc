// ModelRegistry following its ModelSource: versions that another writer (a second registry on
// the same root with repair = false, standing in for `recplat train`, or files written by hand)
// publishes are picked up, swapped in without a pause, not loaded twice, and a version that does
// not load never replaces the serving one.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "prometheus/registry.h"
#include "tests/core/registry/registry_test_fixture.h"

namespace recplat::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class ModelSourceTest : public RegistryTest {
 protected:
  // The owner of the root: repairs at open, reports to metrics_.
  absl::StatusOr<std::unique_ptr<ModelRegistry>> OpenOwner(
      absl::Duration poll_interval = absl::ZeroDuration()) {
    RegistryOptions options = Options();
    options.poll_interval = poll_interval;
    options.metrics = &metrics_;
    return ModelRegistry::Create(std::move(options));
  }
  // Another process sharing the root with a running owner.
  absl::StatusOr<std::unique_ptr<ModelRegistry>> OpenShared() {
    RegistryOptions options = Options();
    options.repair = false;
    return ModelRegistry::Create(std::move(options));
  }
  // Trains a version of (tenant, knn) with `value` in `writer` and promotes it; its number.
  absl::StatusOr<int64_t> Publish(ModelRegistry& writer, const std::string& tenant,
                                  double value) {
    RECPLAT_ASSIGN_OR_RETURN(int64_t version, Train(writer, tenant, value));
    RECPLAT_RETURN_IF_ERROR(writer.Promote(tenant, "knn", version).status());
    return version;
  }
  // Points CURRENT of (tenant, knn) at `version` the way the registry does (a new file renamed
  // over the old one).
  void WriteCurrent(const std::string& tenant, int64_t version) {
    const std::filesystem::path tmp = ModelDir(tenant) / "CURRENT.tmp";
    WriteFile(tmp, absl::StrCat(version, "\n"));
    std::filesystem::rename(tmp, ModelDir(tenant) / "CURRENT");
  }
  // recplat_registry_source_loads_total{model="knn", result=`result`}.
  double Loads(const std::string& result) const {
    for (const prometheus::MetricFamily& family : metrics_.Collect()) {
      if (family.name != "recplat_registry_source_loads_total") continue;
      for (const prometheus::ClientMetric& m : family.metric) {
        bool knn = false;
        bool match = false;
        for (const prometheus::ClientMetric::Label& label : m.label) {
          knn |= label.name == "model" && label.value == "knn";
          match |= label.name == "result" && label.value == result;
        }
        if (knn && match) return m.counter.value;
      }
    }
    return 0;
  }

  prometheus::Registry metrics_;
};

TEST_F(ModelSourceTest, APromotionByAnotherWriterServesAfterTheNextSync) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
  ASSERT_OK(Publish(*owner, "t", 1.0).status());
  ASSERT_OK_AND_ASSIGN(auto writer, OpenShared());
  EXPECT_EQ(ServedValue(*writer, "t"), 1.0) << "the shared registry loads what serves";
  ASSERT_OK_AND_ASSIGN(int64_t v2, Publish(*writer, "t", 2.0));
  EXPECT_EQ(v2, 2);

  // Until it syncs, the owner serves and reports version 1; version 2 is published, not served.
  EXPECT_EQ(ServedValue(*owner, "t"), 1.0);
  EXPECT_THAT(Statuses(*owner, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_PENDING)));

  const int64_t loads_before = fake_->loads();
  const uint64_t generation_before = owner->ServingGeneration();
  EXPECT_EQ(owner->SyncFromSource(), 1);
  EXPECT_EQ(fake_->loads(), loads_before + 1);
  // Caches of the owner's answers (the engine's) see the swap.
  EXPECT_EQ(owner->ServingGeneration(), generation_before + 1);
  EXPECT_EQ(ServedValue(*owner, "t"), 2.0);
  EXPECT_EQ(owner->CurrentVersion("t", "knn"), 2);
  EXPECT_THAT(Statuses(*owner, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT)));
  EXPECT_EQ(Loads("ok"), 1);

  // Nothing changed: nothing loads again.
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(fake_->loads(), loads_before + 1);

  // A rollback by the other writer (CURRENT back to 1) swaps too.
  ASSERT_OK(writer->Promote("t", "knn", 1));
  EXPECT_EQ(owner->SyncFromSource(), 1);
  EXPECT_EQ(ServedValue(*owner, "t"), 1.0);
}

TEST_F(ModelSourceTest, ThePollerPicksUpAVersionWithinThePollInterval) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner(absl::Milliseconds(50)));
  ASSERT_OK(Publish(*owner, "t", 1.0).status());
  ASSERT_OK_AND_ASSIGN(auto writer, OpenShared());

  // Readers keep taking handles while the poller swaps: none ever finds nothing serving.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> empty{0};
  std::thread reader([&] {
    while (!stop) {
      if (owner->Current("t", "knn") == nullptr) ++empty;
    }
  });
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(Publish(*writer, "t", 2.0).status());
  while (ServedValue(*owner, "t") != 2.0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  stop = true;
  reader.join();
  EXPECT_EQ(ServedValue(*owner, "t"), 2.0);
  // A few poll intervals, with room for a loaded machine.
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_EQ(empty, 0);
}

TEST_F(ModelSourceTest, ACorruptVersionDoesNotReplaceTheServingOneUntilRepublished) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
  ASSERT_OK(Publish(*owner, "t", 1.0).status());
  // A raw writer publishes version 2 with an artifact that does not load.
  WriteVersionJson("t", 2, "MODEL_STATUS_CURRENT");
  WriteFile(VersionDir("t", 2) / "artifact" / "fake_model.txt", "not a model");
  WriteCurrent("t", 2);

  const int64_t loads_before = fake_->loads();
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(fake_->loads(), loads_before + 1) << "it tried";
  EXPECT_EQ(ServedValue(*owner, "t"), 1.0) << "the old version keeps serving";
  EXPECT_EQ(Loads("failed"), 1);
  std::vector<v1::ModelVersion> listed = owner->List("t", "knn");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].version(), 2);
  EXPECT_EQ(listed[0].status(), v1::MODEL_STATUS_FAILED);
  EXPECT_THAT(listed[0].error(), HasSubstr("does not load in this process"));
  EXPECT_EQ(listed[1].status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(ReadFile(VersionDir("t", 2) / "version.json").find("FAILED"), std::string::npos)
      << "the follower writes nothing";

  // Not retried while nothing changes...
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(fake_->loads(), loads_before + 1);
  EXPECT_EQ(Loads("failed"), 1);

  // ...and retried once it is republished.
  WriteArtifact("t", 2, 2.0);
  WriteCurrent("t", 2);
  EXPECT_EQ(owner->SyncFromSource(), 1);
  EXPECT_EQ(ServedValue(*owner, "t"), 2.0);
  EXPECT_EQ(Loads("ok"), 1);
}

TEST_F(ModelSourceTest, VersionsThatFailedOrWereNeverCommittedAreNotLoaded) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
  ASSERT_OK(Publish(*owner, "t", 1.0).status());
  WriteVersionJson("t", 2, "MODEL_STATUS_FAILED");
  WriteArtifact("t", 2, 2.0);
  WriteCurrent("t", 2);
  const int64_t loads_before = fake_->loads();
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(ServedValue(*owner, "t"), 1.0);

  WriteVersionJson("t", 3, "MODEL_STATUS_PENDING", /*committed=*/false);
  WriteArtifact("t", 3, 3.0);
  WriteCurrent("t", 3);
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(ServedValue(*owner, "t"), 1.0);
  EXPECT_EQ(fake_->loads(), loads_before) << "their artifacts are never read";
  EXPECT_EQ(Loads("failed"), 2);
}

TEST_F(ModelSourceTest, OwnPromotionsAreNotLoadedAgain) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
  ASSERT_OK_AND_ASSIGN(int64_t version, Train(*owner, "t", 1.0));
  ASSERT_OK(owner->Promote("t", "knn", version));
  const int64_t loads_after_promote = fake_->loads();
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(fake_->loads(), loads_after_promote);
  EXPECT_EQ(Loads("ok"), 0);
}

TEST_F(ModelSourceTest, ATenantPublishedElsewhereIsPickedUp) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
  ASSERT_OK_AND_ASSIGN(auto writer, OpenShared());
  ASSERT_OK(Publish(*writer, "newcomer", 5.0).status());
  EXPECT_EQ(owner->Current("newcomer", "knn"), nullptr);
  EXPECT_THAT(Statuses(*owner, "newcomer"), ElementsAre(Pair(1, v1::MODEL_STATUS_PENDING)));
  EXPECT_EQ(owner->SyncFromSource(), 1);
  EXPECT_EQ(ServedValue(*owner, "newcomer"), 5.0);
  EXPECT_THAT(owner->Tenants(), ElementsAre("newcomer"));
}

TEST_F(ModelSourceTest, ARemovedCurrentKeepsTheServingVersion) {
  ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
  ASSERT_OK(Publish(*owner, "t", 1.0).status());
  std::filesystem::remove(ModelDir("t") / "CURRENT");
  EXPECT_EQ(owner->SyncFromSource(), 0);
  EXPECT_EQ(ServedValue(*owner, "t"), 1.0);
}

TEST_F(ModelSourceTest, ASharedOpenRepairsNothing) {
  {
    ASSERT_OK_AND_ASSIGN(auto owner, OpenOwner());
    ASSERT_OK(Publish(*owner, "t", 1.0).status());
  }
  // What a running owner may be in the middle of: a version being trained (not committed yet)
  // and an atomic write not renamed yet.
  WriteVersionJson("t", 2, "MODEL_STATUS_PENDING", /*committed=*/false);
  WriteFile(ModelDir("t") / "CURRENT.tmp", "2\n");
  ASSERT_OK_AND_ASSIGN(auto shared, OpenShared());
  EXPECT_EQ(ServedValue(*shared, "t"), 1.0);
  EXPECT_TRUE(std::filesystem::exists(ModelDir("t") / "CURRENT.tmp"));
  EXPECT_EQ(ReadFile(VersionDir("t", 2) / "version.json").find("FAILED"), std::string::npos);
  EXPECT_THAT(Statuses(*shared, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_PENDING)));
  // It numbers its own versions after what it found.
  ASSERT_OK_AND_ASSIGN(PendingVersion next, shared->BeginVersion("t", "knn"));
  EXPECT_EQ(next.version, 3);
}

}  // namespace
}  // namespace recplat::registry
