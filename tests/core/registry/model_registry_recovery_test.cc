// ModelRegistry: reopening a root restores what serves, and Create() repairs what a crash left
// behind. Inconsistent layouts are crafted by hand.
#include <filesystem>
#include <string>

#include "tests/core/registry/registry_test_fixture.h"

namespace recplat::registry {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST_F(RegistryTest, ReopenRestoresCurrentVersionsAndStatuses) {
  {
    ASSERT_OK_AND_ASSIGN(auto registry, Open());
    ASSERT_OK(Train(*registry, "t", 1.0).status());
    ASSERT_OK(Train(*registry, "t", 2.0).status());
    ASSERT_OK(registry->Promote("t", "knn", 1));
    ASSERT_OK(registry->Promote("t", "knn", 2));
    ASSERT_OK(Train(*registry, "t", 3.0).status());
    ASSERT_OK(Train(*registry, "u", 9.0).status());
    ASSERT_OK(registry->Promote("u", "knn", 1));
  }
  EXPECT_EQ(fake_->live_models(), 0) << "the registry releases its snapshots";

  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(ServedValue(*registry, "t"), 2.0);
  EXPECT_EQ(ServedValue(*registry, "u"), 9.0);
  EXPECT_EQ(registry->CurrentVersion("t", "knn"), 2);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT),
                          Pair(3, v1::MODEL_STATUS_PENDING)));
  std::vector<v1::ModelVersion> listed = registry->List("t", "knn");
  EXPECT_EQ(listed[0].training().trigger(), "api");
  EXPECT_THAT(registry->Tenants(), ElementsAre("t", "u"));

  // The committed PENDING version survived the reopen and can still be promoted.
  ASSERT_OK(registry->Promote("t", "knn", 3));
  EXPECT_EQ(ServedValue(*registry, "t"), 3.0);
  ASSERT_OK_AND_ASSIGN(PendingVersion next, registry->BeginVersion("t", "knn"));
  EXPECT_EQ(next.version, 4);
}

TEST_F(RegistryTest, CommittedVersionWithEmptyStatsIsNotMistakenForAnInterruptedOne) {
  {
    ASSERT_OK_AND_ASSIGN(auto registry, Open());
    ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t", "knn"));
    ASSERT_OK(registry->CommitVersion(pending, *fake_->MakeModel(1.0), v1::TrainingStats()));
  }
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_THAT(Statuses(*registry, "t"), ElementsAre(Pair(1, v1::MODEL_STATUS_PENDING)));
}

TEST_F(RegistryTest, VersionsInterruptedByACrashAreMarkedFailed) {
  {
    ASSERT_OK_AND_ASSIGN(auto registry, Open());
    ASSERT_OK(Train(*registry, "t", 1.0).status());
    ASSERT_OK(registry->Promote("t", "knn", 1));
    // Begun and never finished: the process "crashes" with it in flight.
    ASSERT_OK(registry->BeginVersion("t", "knn").status());
  }
  // A crash inside BeginVersion, before version.json was written.
  std::filesystem::create_directories(VersionDir("t", 3));
  // A crash in the middle of saving: a partial artifact and no commit.
  WriteVersionJson("t", 4, "MODEL_STATUS_PENDING", /*committed=*/false);
  WriteFile(VersionDir("t", 4) / "artifact" / "half", "x");
  // Committed, but the artifact is gone.
  WriteVersionJson("t", 5, "MODEL_STATUS_PENDING");
  // Committed with its artifact: stays pending.
  WriteVersionJson("t", 6, "MODEL_STATUS_PENDING");
  WriteArtifact("t", 6, 6.0);

  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_FAILED),
                          Pair(3, v1::MODEL_STATUS_FAILED), Pair(4, v1::MODEL_STATUS_FAILED),
                          Pair(5, v1::MODEL_STATUS_FAILED), Pair(6, v1::MODEL_STATUS_PENDING)));
  for (const v1::ModelVersion& v : registry->List("t", "knn")) {
    if (v.status() == v1::MODEL_STATUS_FAILED) {
      EXPECT_THAT(v.error(), HasSubstr("interrupted")) << v.version();
    }
  }
  EXPECT_THAT(registry->Promote("t", "knn", 2), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(registry->Promote("t", "knn", 6));
  EXPECT_EQ(ServedValue(*registry, "t"), 6.0);
  ASSERT_OK_AND_ASSIGN(PendingVersion next, registry->BeginVersion("t", "knn"));
  EXPECT_EQ(next.version, 7);
}

TEST_F(RegistryTest, CurrentThatDoesNotLoadIsFailedAndServesNothing) {
  {
    ASSERT_OK_AND_ASSIGN(auto registry, Open());
    ASSERT_OK(Train(*registry, "t", 1.0).status());
    ASSERT_OK(Train(*registry, "t", 2.0).status());
    ASSERT_OK(registry->Promote("t", "knn", 1));
    ASSERT_OK(registry->Promote("t", "knn", 2));
  }
  WriteFile(VersionDir("t", 2) / "artifact" / "fake_model.txt", "garbage\n");

  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(registry->Current("t", "knn"), nullptr);
  EXPECT_EQ(registry->CurrentVersion("t", "knn"), 0);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_FAILED)));
  EXPECT_THAT(registry->List("t", "knn")[0].error(), HasSubstr("does not load"));
  EXPECT_FALSE(std::filesystem::exists(ModelDir("t") / "CURRENT"));

  // An explicit rollback brings the model back.
  ASSERT_OK(registry->Promote("t", "knn", 1));
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);
}

TEST_F(RegistryTest, StatusesAreReconciledWithCurrent) {
  // A crash inside Promote(2) after CURRENT was written: version 2 is still PENDING on disk and
  // version 1 still CURRENT.
  WriteVersionJson("t", 1, "MODEL_STATUS_CURRENT");
  WriteArtifact("t", 1, 1.0);
  WriteVersionJson("t", 2, "MODEL_STATUS_PENDING");
  WriteArtifact("t", 2, 2.0);
  WriteFile(ModelDir("t") / "CURRENT", "2\n");
  // Tenant u: two CURRENT statuses, CURRENT names the older one.
  WriteVersionJson("u", 1, "MODEL_STATUS_CURRENT");
  WriteArtifact("u", 1, 1.0);
  WriteVersionJson("u", 2, "MODEL_STATUS_CURRENT");
  WriteArtifact("u", 2, 2.0);
  WriteFile(ModelDir("u") / "CURRENT", "1");
  // Tenant w: a CURRENT status but no CURRENT file.
  WriteVersionJson("w", 1, "MODEL_STATUS_CURRENT");
  WriteArtifact("w", 1, 1.0);

  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(ServedValue(*registry, "t"), 2.0);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT)));
  EXPECT_GT(registry->List("t", "knn")[0].promoted_at_ms(), 0);
  EXPECT_EQ(ServedValue(*registry, "u"), 1.0);
  EXPECT_THAT(Statuses(*registry, "u"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_STALE)));
  EXPECT_EQ(registry->Current("w", "knn"), nullptr);
  EXPECT_THAT(Statuses(*registry, "w"), ElementsAre(Pair(1, v1::MODEL_STATUS_STALE)));

  // The repair is on disk: a second open finds nothing to change.
  registry.reset();
  ASSERT_OK_AND_ASSIGN(registry, Open());
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT)));
}

TEST_F(RegistryTest, CurrentNamingAMissingOrFailedVersionServesNothing) {
  WriteVersionJson("t", 1, "MODEL_STATUS_STALE");
  WriteArtifact("t", 1, 1.0);
  WriteFile(ModelDir("t") / "CURRENT", "5\n");
  WriteVersionJson("u", 1, "MODEL_STATUS_FAILED");
  WriteArtifact("u", 1, 1.0);
  WriteFile(ModelDir("u") / "CURRENT", "1\n");
  WriteVersionJson("w", 1, "MODEL_STATUS_STALE");
  WriteArtifact("w", 1, 1.0);
  WriteFile(ModelDir("w") / "CURRENT", "not a number");

  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  for (const char* tenant : {"t", "u", "w"}) {
    EXPECT_EQ(registry->Current(tenant, "knn"), nullptr) << tenant;
    EXPECT_FALSE(std::filesystem::exists(ModelDir(tenant) / "CURRENT")) << tenant;
  }
  EXPECT_THAT(Statuses(*registry, "u"), ElementsAre(Pair(1, v1::MODEL_STATUS_FAILED)));
}

TEST_F(RegistryTest, WhatIsNotAVersionIsIgnoredAndLeftoversAreSwept) {
  WriteVersionJson("t", 1, "MODEL_STATUS_CURRENT");
  WriteArtifact("t", 1, 1.0);
  WriteFile(ModelDir("t") / "CURRENT", "1\n");
  std::filesystem::create_directories(ModelDir("t") / "notes");
  std::filesystem::create_directories(ModelDir("t") / "0000000000000000000x");
  std::filesystem::create_directories(ModelDir("t") / "00000000000000000000");
  std::filesystem::create_directories(ModelDir("t") / "99999999999999999999");
  WriteFile(ModelDir("t") / "README", "hello");
  WriteFile(root() / "stray-file", "hello");
  WriteFile(ModelDir("t", "unconfigured") / "00000000000000000001" / "version.json", "{}");
  WriteFile(ModelDir("t", "fixed") / "00000000000000000001" / "version.json", "{}");
  // Leftovers of interrupted writes and deletions.
  WriteFile(ModelDir("t") / "CURRENT.tmp", "7\n");
  WriteFile(VersionDir("t", 1) / "version.json.tmp", "{");
  WriteFile(ModelDir("t") / "00000000000000000002.deleting" / "version.json", "{}");
  // An unreadable version.json is skipped but keeps its number.
  WriteFile(VersionDir("t", 3) / "version.json", "{ not json");

  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);
  EXPECT_THAT(Statuses(*registry, "t"), ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT)));
  EXPECT_TRUE(std::filesystem::exists(ModelDir("t") / "notes"));
  EXPECT_TRUE(std::filesystem::exists(ModelDir("t") / "README"));
  EXPECT_FALSE(std::filesystem::exists(ModelDir("t") / "CURRENT.tmp"));
  EXPECT_FALSE(std::filesystem::exists(VersionDir("t", 1) / "version.json.tmp"));
  EXPECT_FALSE(std::filesystem::exists(ModelDir("t") / "00000000000000000002.deleting"));
  EXPECT_EQ(ReadFile(ModelDir("t", "unconfigured") / "00000000000000000001" / "version.json"),
            "{}");
  ASSERT_OK_AND_ASSIGN(PendingVersion next, registry->BeginVersion("t", "knn"));
  EXPECT_EQ(next.version, 4);
}

}  // namespace
}  // namespace recplat::registry
