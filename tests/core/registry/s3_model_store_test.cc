// The registry over an S3 bucket (registry.store: s3): two processes, each with its own local
// root, share a bucket on a real S3-compatible server (s3rver on loopback). What one trains and
// promotes, the other serves after a sync; numbers never collide; failures and bad objects in
// the bucket never replace what serves.
#include "core/registry/s3_model_store.h"

#include <filesystem>

#include "tests/core/registry/registry_test_fixture.h"
#include "tests/testing/s3rver.h"

namespace recplat::registry {
namespace {

using ::testing::HasSubstr;

class S3ModelStoreTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    ASSERT_OK_AND_ASSIGN(server_, testing::S3rver::Start({"models"}));
    s3::S3ClientOptions options;
    options.endpoint = server_->endpoint();
    options.bucket = "models";
    options.credentials = {testing::S3rver::kAccessKeyId, testing::S3rver::kSecretAccessKey, ""};
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<s3::S3Client> client, s3::S3Client::Create(options));
    client_ = std::move(client);
  }

  S3ModelStoreOptions StoreOptions(const std::string& name) const {
    S3ModelStoreOptions options;
    options.client = client_;
    options.prefix = "registry";
    options.cache_dir = dir_.path() / name / "cache";
    return options;
  }

  // A process `name` with its own root, following and publishing to the bucket.
  absl::StatusOr<std::unique_ptr<ModelRegistry>> OpenProcess(const std::string& name) {
    RegistryOptions options = Options();
    options.root = dir_.path() / name / "models";
    options.source = NewS3ModelSource(StoreOptions(name));
    options.publisher = NewS3ModelPublisher(StoreOptions(name));
    return ModelRegistry::Create(std::move(options));
  }

  std::unique_ptr<testing::S3rver> server_;
  std::shared_ptr<const s3::S3Client> client_;
};

TEST_F(S3ModelStoreTest, WhatOneProcessPromotesTheOtherServesAfterASync) {
  ASSERT_OK_AND_ASSIGN(auto trainer, OpenProcess("trainer"));
  ASSERT_OK_AND_ASSIGN(auto replica, OpenProcess("replica"));
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*trainer, "t", 1.5));
  EXPECT_EQ(v1, 1);
  // Committed, not promoted: the replica serves nothing yet.
  replica->SyncFromSource();
  EXPECT_EQ(ServedValue(*replica, "t"), -1);
  ASSERT_OK(trainer->Promote("t", "knn", v1).status());
  EXPECT_EQ(replica->SyncFromSource(), 1);
  EXPECT_EQ(ServedValue(*replica, "t"), 1.5);
  EXPECT_EQ(replica->CurrentVersion("t", "knn"), 1);

  // The bucket holds the layout of model_registry.h under the prefix.
  ASSERT_OK_AND_ASSIGN(std::string current, client_->GetObject("registry/t/knn/CURRENT"));
  EXPECT_EQ(current, "1");
  ASSERT_OK_AND_ASSIGN(std::vector<s3::ObjectInfo> artifact,
                       client_->ListAllObjects("registry/t/knn/00000000000000000001/artifact/"));
  EXPECT_FALSE(artifact.empty());

  // The replica's own training numbers above what the bucket holds, and the trainer follows it.
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*replica, "t", 2.5));
  EXPECT_EQ(v2, 2);
  ASSERT_OK(replica->Promote("t", "knn", v2).status());
  EXPECT_EQ(trainer->SyncFromSource(), 1);
  EXPECT_EQ(ServedValue(*trainer, "t"), 2.5);
  // The replica downloaded version 1's artifact into its cache and released it once loaded.
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "replica" / "cache"));
  // Statuses published: version 1 is stale in the bucket.
  ASSERT_OK_AND_ASSIGN(std::string meta,
                       client_->GetObject("registry/t/knn/00000000000000000001/version.json"));
  EXPECT_THAT(meta, HasSubstr("MODEL_STATUS_STALE"));
}

// The bucket's version prefixes of registry/t/knn, ascending.
std::vector<std::string> BucketVersions(const s3::S3Client& client) {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<s3::ObjectInfo>> objects = client.ListAllObjects("registry/t/knn/");
  if (!objects.ok()) return {"error: " + objects.status().ToString()};
  for (const s3::ObjectInfo& o : *objects) {
    const std::string rest = o.key.substr(std::string("registry/t/knn/").size());
    const std::string dir = rest.substr(0, rest.find('/'));
    if (dir != rest && (out.empty() || out.back() != dir)) out.push_back(dir);
  }
  return out;
}

TEST_F(S3ModelStoreTest, PruningDeletesOldVersionsFromTheBucketButNotCurrentOrFreshPending) {
  ASSERT_OK_AND_ASSIGN(auto trainer, OpenProcess("trainer"));
  ASSERT_OK_AND_ASSIGN(auto other, OpenProcess("other"));
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*trainer, "t", 1.0));
  ASSERT_OK(trainer->Promote("t", "knn", v1).status());
  // Another process's version still being made (PENDING, just begun) is not touched.
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, other->BeginVersion("t", "knn"));
  EXPECT_EQ(pending.version, 2);
  for (double value : {3.0, 4.0, 5.0}) {
    ASSERT_OK(Train(*trainer, "t", value).status());
  }
  ASSERT_EQ(BucketVersions(*client_).size(), 5u);
  ASSERT_OK(trainer->Prune("t", "knn", 2));
  // Kept: 1 (CURRENT), 2 (fresh PENDING), 4 and 5 (the newest two); 3 is gone, metadata and
  // artifact alike.
  EXPECT_THAT(BucketVersions(*client_),
              ::testing::ElementsAre("00000000000000000001", "00000000000000000002",
                                     "00000000000000000004", "00000000000000000005"));
  // An hour past the grace period the abandoned PENDING version goes too.
  clock_.AdvanceMs(ModelPublisher::kPendingGraceMs + 3600 * 1000);
  ASSERT_OK(trainer->Prune("t", "knn", 2));
  EXPECT_THAT(BucketVersions(*client_),
              ::testing::ElementsAre("00000000000000000001", "00000000000000000004",
                                     "00000000000000000005"));
  // What serves is unaffected: a new follower still loads CURRENT.
  ASSERT_OK_AND_ASSIGN(auto follower, OpenProcess("follower"));
  follower->SyncFromSource();
  EXPECT_EQ(ServedValue(*follower, "t"), 1.0);
}

TEST_F(S3ModelStoreTest, AFailedTrainingIsPublishedButNeverServed) {
  ASSERT_OK_AND_ASSIGN(auto trainer, OpenProcess("trainer"));
  ASSERT_OK_AND_ASSIGN(auto replica, OpenProcess("replica"));
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*trainer, "t", 1.0));
  ASSERT_OK(trainer->Promote("t", "knn", v1).status());
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, trainer->BeginVersion("t", "knn"));
  EXPECT_EQ(pending.version, 2);
  ASSERT_OK(trainer->FailVersion(pending, absl::InternalError("diverged"), v1::TrainingStats()));
  replica->SyncFromSource();
  EXPECT_EQ(ServedValue(*replica, "t"), 1.0);
  ASSERT_OK_AND_ASSIGN(std::string meta,
                       client_->GetObject("registry/t/knn/00000000000000000002/version.json"));
  EXPECT_THAT(meta, HasSubstr("MODEL_STATUS_FAILED"));
  // The next version is numbered above the failed one.
  ASSERT_OK_AND_ASSIGN(int64_t v3, Train(*replica, "t", 3.0));
  EXPECT_EQ(v3, 3);
}

TEST_F(S3ModelStoreTest, ABadPointerOrArtifactInTheBucketNeverReplacesWhatServes) {
  ASSERT_OK_AND_ASSIGN(auto trainer, OpenProcess("trainer"));
  ASSERT_OK_AND_ASSIGN(auto replica, OpenProcess("replica"));
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*trainer, "t", 1.0));
  ASSERT_OK(trainer->Promote("t", "knn", v1).status());
  EXPECT_EQ(replica->SyncFromSource(), 1);
  // CURRENT overwritten with garbage by hand.
  ASSERT_OK(client_->PutObject("registry/t/knn/CURRENT", "not a number"));
  EXPECT_EQ(replica->SyncFromSource(), 0);
  EXPECT_EQ(ServedValue(*replica, "t"), 1.0);
  // A pointer at a version whose metadata is published but whose artifact is not (a writer
  // that died between the two uploads).
  ASSERT_OK_AND_ASSIGN(std::string meta,
                       client_->GetObject("registry/t/knn/00000000000000000001/version.json"));
  ASSERT_OK(client_->PutObject("registry/t/knn/00000000000000000007/version.json", meta));
  ASSERT_OK(client_->PutObject("registry/t/knn/CURRENT", "7"));
  EXPECT_EQ(replica->SyncFromSource(), 0);
  EXPECT_EQ(ServedValue(*replica, "t"), 1.0);
  // Repaired by a good promotion: served again, numbered above the orphan.
  ASSERT_OK_AND_ASSIGN(int64_t v8, Train(*trainer, "t", 8.0));
  EXPECT_EQ(v8, 8);
  ASSERT_OK(trainer->Promote("t", "knn", v8).status());
  EXPECT_EQ(replica->SyncFromSource(), 1);
  EXPECT_EQ(ServedValue(*replica, "t"), 8.0);
}

TEST_F(S3ModelStoreTest, AnUnreachableStoreFailsTrainingCleanly) {
  ASSERT_OK_AND_ASSIGN(auto trainer, OpenProcess("trainer"));
  server_.reset();  // the store goes away
  absl::StatusOr<PendingVersion> pending = trainer->BeginVersion("t", "knn");
  EXPECT_THAT(pending.status(), ::recplat::testing::StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ServedValue(*trainer, "t"), -1);
}

}  // namespace
}  // namespace recplat::registry
