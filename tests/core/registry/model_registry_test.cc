// ModelRegistry: the training and promotion flows, validation, untrained families and pruning.
#include <filesystem>
#include <string>
#include <vector>

#include "tests/core/registry/registry_test_fixture.h"

namespace recplat::registry {
namespace {

using ::recplat::testing::FakeModel;
using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST_F(RegistryTest, BeginCommitPromoteServes) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(registry->Current("t1", "knn"), nullptr);
  EXPECT_EQ(registry->CurrentVersion("t1", "knn"), 0);

  const int64_t created_at = clock_.NowMs();
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t1", "knn"));
  EXPECT_EQ(pending.version, 1);
  EXPECT_EQ(pending.dir, VersionDir("t1", 1));
  EXPECT_TRUE(std::filesystem::exists(pending.dir / "version.json"));
  EXPECT_EQ(pending.meta.status(), v1::MODEL_STATUS_PENDING);

  std::vector<v1::ModelVersion> listed = registry->List("t1", "knn");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status(), v1::MODEL_STATUS_PENDING);
  EXPECT_EQ(listed[0].family(), "fake");
  EXPECT_EQ(listed[0].tenant(), "t1");
  EXPECT_EQ(listed[0].created_at_ms(), created_at);
  EXPECT_THAT(listed[0].hyperparameters(), ElementsAre(Pair("alpha", "0.5")));

  std::unique_ptr<FakeModel> model = fake_->MakeModel(3.5);
  v1::TrainingStats stats;
  stats.set_num_interactions(42);
  stats.set_trigger("api");
  ASSERT_OK(registry->CommitVersion(pending, *model, stats));
  EXPECT_TRUE(std::filesystem::exists(pending.dir / "artifact" / "fake_model.txt"));
  EXPECT_EQ(registry->Current("t1", "knn"), nullptr) << "committing does not promote";

  listed = registry->List("t1", "knn");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status(), v1::MODEL_STATUS_PENDING);
  EXPECT_EQ(listed[0].training().num_interactions(), 42);
  EXPECT_THAT(listed[0].metrics(), ElementsAre(Pair("value", 3.5)));

  clock_.AdvanceMs(1000);
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion promoted, registry->Promote("t1", "knn", 1));
  EXPECT_EQ(promoted.status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(promoted.promoted_at_ms(), created_at + 1000);

  ModelHandle handle = registry->Current("t1", "knn");
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(handle->tenant, "t1");
  EXPECT_EQ(handle->name, "knn");
  EXPECT_EQ(handle->family, "fake");
  EXPECT_EQ(handle->version, 1);
  EXPECT_EQ(ServedValue(*registry, "t1"), 3.5);
  EXPECT_EQ(registry->CurrentVersion("t1", "knn"), 1);
  EXPECT_EQ(ReadFile(ModelDir("t1") / "CURRENT"), "1\n");
  EXPECT_EQ(registry->Current("t2", "knn"), nullptr) << "tenants are independent";
}

TEST_F(RegistryTest, VersionNumbersArePerTenantAndModelAndCountFailures) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(PendingVersion first, registry->BeginVersion("t1", "knn"));
  ASSERT_OK(registry->FailVersion(first, absl::InternalError("boom"), {}));
  ASSERT_OK_AND_ASSIGN(PendingVersion second, registry->BeginVersion("t1", "knn"));
  EXPECT_EQ(second.version, 2);
  ASSERT_OK_AND_ASSIGN(PendingVersion other, registry->BeginVersion("t2", "knn"));
  EXPECT_EQ(other.version, 1);
  EXPECT_THAT(registry->Tenants(), ElementsAre("t1", "t2"));
}

TEST_F(RegistryTest, PromotingANewVersionMakesThePreviousStale) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*registry, "t", 2.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));
  ASSERT_OK(registry->Promote("t", "knn", v2));
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT)));
  EXPECT_EQ(ServedValue(*registry, "t"), 2.0);
  EXPECT_EQ(ReadFile(ModelDir("t") / "CURRENT"), "2\n");
}

TEST_F(RegistryTest, RollbackPromotesAStaleVersionAgain) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*registry, "t", 2.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));
  ASSERT_OK(registry->Promote("t", "knn", v2));
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion back, registry->Promote("t", "knn", v1));
  EXPECT_EQ(back.status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_STALE)));
}

TEST_F(RegistryTest, ListIsCachedUntilAWriteHereOrForASecond) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));
  EXPECT_THAT(Statuses(*registry, "t"), ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT)));
  // Another process adds a version behind this registry's back: listed after the cache's second.
  WriteVersionJson("t", 2, "MODEL_STATUS_STALE");
  WriteArtifact("t", 2, 2.0);
  EXPECT_THAT(Statuses(*registry, "t"), ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT)));
  clock_.AdvanceMs(999);
  EXPECT_EQ(Statuses(*registry, "t").size(), 1u);
  clock_.AdvanceMs(1);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_STALE)));
  // This registry's own writes show at once.
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t", "knn"));
  EXPECT_EQ(registry->List("t", "knn").front().version(), pending.version);
  ASSERT_OK(registry->FailVersion(pending, absl::InternalError("boom"), {}));
  EXPECT_EQ(registry->List("t", "knn").front().status(), v1::MODEL_STATUS_FAILED);
  ASSERT_OK(registry->Promote("t", "knn", 2));
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT),
                          Pair(3, v1::MODEL_STATUS_FAILED)));
}

TEST_F(RegistryTest, StoredLoadsAVersionReadOnlyAndCachesIt) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*registry, "t", 2.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));
  ASSERT_OK(registry->Promote("t", "knn", v2));
  const uint64_t generation = registry->ServingGeneration();
  const int64_t loads = fake_->loads();
  auto value = [](const ModelHandle& h) {
    return dynamic_cast<const recplat::testing::FakeModel&>(*h->model).value();
  };
  // The stale version: loaded once, then cached; nothing is promoted.
  ASSERT_OK_AND_ASSIGN(ModelHandle stale, registry->Stored("t", "knn", v1));
  EXPECT_EQ(stale->version, v1);
  EXPECT_EQ(value(stale), 1.0);
  ASSERT_OK_AND_ASSIGN(ModelHandle again, registry->Stored("t", "knn", v1));
  EXPECT_EQ(again, stale);
  EXPECT_EQ(fake_->loads(), loads + 1);
  EXPECT_EQ(ServedValue(*registry, "t"), 2.0);
  EXPECT_EQ(registry->ServingGeneration(), generation);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_STALE), Pair(2, v1::MODEL_STATUS_CURRENT)));
  // The serving version is the serving snapshot.
  ASSERT_OK_AND_ASSIGN(ModelHandle serving, registry->Stored("t", "knn", v2));
  EXPECT_EQ(serving, registry->Current("t", "knn"));
  // Unknown versions, models and tenants; failed versions.
  EXPECT_THAT(registry->Stored("t", "knn", 9), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(registry->Stored("t", "knn", 0), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(registry->Stored("t", "nope", 1), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(registry->Stored("other", "knn", 1), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t", "knn"));
  ASSERT_OK(registry->FailVersion(pending, absl::InternalError("boom"), {}));
  EXPECT_THAT(registry->Stored("t", "knn", pending.version),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // The untrained model has version 0 only.
  ASSERT_OK_AND_ASSIGN(ModelHandle fixed, registry->Stored("t", "fixed", 0));
  EXPECT_EQ(fixed, registry->Current("t", "fixed"));
  EXPECT_THAT(registry->Stored("t", "fixed", 1), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RegistryTest, ServingGenerationCountsSnapshotSwaps) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  const uint64_t start = registry->ServingGeneration();
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  EXPECT_EQ(registry->ServingGeneration(), start);  // Committed, not serving.
  ASSERT_OK(registry->Promote("t", "knn", v1));
  EXPECT_EQ(registry->ServingGeneration(), start + 1);
  ASSERT_OK(registry->Promote("t", "knn", v1));  // Already current: no swap.
  EXPECT_EQ(registry->ServingGeneration(), start + 1);
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*registry, "t", 2.0));
  ASSERT_OK(registry->Promote("t", "knn", v2));
  EXPECT_EQ(registry->ServingGeneration(), start + 2);
  // A reopened registry publishes what it finds: a fresh counter that moved.
  registry.reset();
  ASSERT_OK_AND_ASSIGN(registry, Open());
  EXPECT_GT(registry->ServingGeneration(), 0u);
}

TEST_F(RegistryTest, FailedVersionKeepsThePreviousServingAndCannotBePromoted) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));

  ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t", "knn"));
  v1::TrainingStats stats;
  stats.set_duration_seconds(2.5);
  ASSERT_OK(
      registry->FailVersion(pending, absl::FailedPreconditionError("no interactions"), stats));
  EXPECT_EQ(pending.meta.status(), v1::MODEL_STATUS_FAILED);
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);

  std::vector<v1::ModelVersion> listed = registry->List("t", "knn");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].version(), 2);
  EXPECT_EQ(listed[0].status(), v1::MODEL_STATUS_FAILED);
  EXPECT_THAT(listed[0].error(), HasSubstr("no interactions"));
  EXPECT_EQ(listed[0].training().duration_seconds(), 2.5);

  EXPECT_THAT(registry->Promote("t", "knn", 2),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no interactions")));
  EXPECT_OK(registry->FailVersion(pending, absl::InternalError("again"), {}));
  EXPECT_THAT(registry->List("t", "knn")[0].error(), HasSubstr("no interactions"))
      << "failing twice keeps the first error";
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);

  // A version that serves cannot be failed.
  ASSERT_OK_AND_ASSIGN(PendingVersion third, registry->BeginVersion("t", "knn"));
  ASSERT_OK(registry->CommitVersion(third, *fake_->MakeModel(3.0), {}));
  ASSERT_OK(registry->Promote("t", "knn", third.version));
  EXPECT_THAT(registry->FailVersion(third, absl::InternalError("late"), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ServedValue(*registry, "t"), 3.0);
}

TEST_F(RegistryTest, CommitThatCannotSaveMarksTheVersionFailed) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t", "knn"));
  std::unique_ptr<FakeModel> model = fake_->MakeModel(1.0);
  model->set_fail_save(true);
  EXPECT_THAT(registry->CommitVersion(pending, *model, {}), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(Statuses(*registry, "t"), ElementsAre(Pair(1, v1::MODEL_STATUS_FAILED)));
  EXPECT_THAT(registry->CommitVersion(pending, *model, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // Trainers report the failure again; that is harmless.
  EXPECT_OK(registry->FailVersion(pending, absl::InternalError("save failed"), {}));
  EXPECT_THAT(registry->List("t", "knn")[0].error(), HasSubstr("saving the artifact failed"));
}

TEST_F(RegistryTest, PromoteRejectsUnknownAndUnfinishedVersions) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_THAT(registry->Promote("t", "knn", 42), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(registry->Promote("t", "knn", 0), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(registry->Promote("t", "nope", 1), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(PendingVersion pending, registry->BeginVersion("t", "knn"));
  EXPECT_THAT(registry->Promote("t", "knn", pending.version),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("being trained")));
  EXPECT_EQ(registry->Current("t", "knn"), nullptr);
}

TEST_F(RegistryTest, PromoteOfAnArtifactThatDoesNotLoadIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*registry, "t", 2.0));
  fake_->set_fail_load(true);
  EXPECT_THAT(registry->Promote("t", "knn", v2), StatusIs(absl::StatusCode::kDataLoss));
  fake_->set_fail_load(false);
  EXPECT_EQ(ServedValue(*registry, "t"), 1.0);
  EXPECT_THAT(Statuses(*registry, "t"),
              ElementsAre(Pair(1, v1::MODEL_STATUS_CURRENT), Pair(2, v1::MODEL_STATUS_FAILED)));
}

TEST_F(RegistryTest, PromoteWithALoadedModelDoesNotLoadAndPromotingTheCurrentIsANoOp) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  std::shared_ptr<const models::Model> loaded = fake_->MakeModel(1.0);
  ASSERT_OK(registry->Promote("t", "knn", v1, loaded));
  EXPECT_EQ(fake_->loads(), 0);
  EXPECT_EQ(registry->Current("t", "knn")->model, loaded);
  clock_.AdvanceMs(5);
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion again, registry->Promote("t", "knn", v1));
  EXPECT_EQ(again.status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(again.promoted_at_ms(), clock_.NowMs() - 5);
  EXPECT_EQ(registry->Current("t", "knn")->model, loaded);
  EXPECT_EQ(fake_->loads(), 0);
}

TEST_F(RegistryTest, HandlesKeepTheirSnapshotAliveUntilDropped) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK_AND_ASSIGN(int64_t v1, Train(*registry, "t", 1.0));
  ASSERT_OK_AND_ASSIGN(int64_t v2, Train(*registry, "t", 2.0));
  ASSERT_OK(registry->Promote("t", "knn", v1));
  ModelHandle old = registry->Current("t", "knn");
  ASSERT_OK(registry->Promote("t", "knn", v2));
  EXPECT_EQ(old->version, 1) << "a handle is immutable";
  EXPECT_EQ(fake_->live_models(), 2);
  old.reset();
  EXPECT_EQ(fake_->live_models(), 1);
}

TEST_F(RegistryTest, NamesAreValidated) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  const std::vector<std::string> bad_names = {"",     ".",   "..", "a/b",
                                              "../t", "t t", "é",  std::string(65, 'a')};
  for (const std::string& bad : bad_names) {
    EXPECT_THAT(registry->BeginVersion(bad, "knn"), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
    EXPECT_THAT(registry->Promote(bad, "knn", 1), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
    EXPECT_THAT(registry->Prune(bad, "knn", 1), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
    EXPECT_TRUE(registry->List(bad, "knn").empty()) << bad;
  }
  EXPECT_OK(registry->BeginVersion("Tenant-1.a_B", "knn"));
  EXPECT_OK(registry->BeginVersion(std::string(64, 'a'), "knn"));

  models_["bad/name"] = FamilyConfig("fake");
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad/name")));
}

TEST_F(RegistryTest, ConfigurationErrorsAreInvalidArgument) {
  models_["mystery"] = FamilyConfig("no_such_family");
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("mystery"), HasSubstr("no_such_family"))));
  models_.erase("mystery");
  models_["knn"].params["invalid"] = "1";
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("knn")));
  models_["knn"].params.erase("invalid");
  fixed_->set_fail_fit(true);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kInternal, HasSubstr("fixed")));
}

TEST_F(RegistryTest, FamilyDefaultsToTheModelName) {
  models_["fake"] = config::ModelConfig{};
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_NE(registry->FamilyOf("fake"), nullptr);
  EXPECT_EQ(registry->FamilyOf("fake")->name(), "fake");
  EXPECT_EQ(registry->FindConfig("fake")->family, "fake");
}

TEST_F(RegistryTest, ConfigQueries) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_THAT(registry->ModelNames(), ElementsAre("fixed", "knn"));
  ASSERT_NE(registry->FindConfig("knn"), nullptr);
  EXPECT_EQ(registry->FindConfig("knn")->family, "fake");
  EXPECT_EQ(registry->FindConfig("nope"), nullptr);
  EXPECT_EQ(registry->FamilyOf("knn"), fake_);
  EXPECT_EQ(registry->FamilyOf("nope"), nullptr);
  EXPECT_THAT(registry->BeginVersion("t", "nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(registry->Tenants().empty());
}

TEST_F(RegistryTest, UntrainedModelsServeVersionZeroForEveryTenant) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  EXPECT_EQ(fixed_->fits(), 1) << "built once at Create()";
  ModelHandle a = registry->Current("a", "fixed");
  ModelHandle b = registry->Current("b", "fixed");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a->version, 0);
  EXPECT_EQ(a->family, "fixed");
  EXPECT_EQ(ServedValue(*registry, "a", "fixed"), 7.0);
  EXPECT_EQ(registry->CurrentVersion("a", "fixed"), 0);

  std::vector<v1::ModelVersion> listed = registry->List("a", "fixed");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].version(), 0);
  EXPECT_EQ(listed[0].status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(listed[0].tenant(), "a");
  EXPECT_THAT(listed[0].hyperparameters(), ElementsAre(Pair("value", "7")));

  EXPECT_THAT(registry->BeginVersion("a", "fixed"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_OK(registry->Promote("a", "fixed", 0));
  EXPECT_THAT(registry->Promote("a", "fixed", 1), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(registry->Prune("a", "fixed", 1));
  EXPECT_EQ(fixed_->fits(), 1);
}

TEST_F(RegistryTest, ListWithoutAModelListsEveryConfiguredModelNewestFirst) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK(Train(*registry, "t", 1.0).status());
  ASSERT_OK(Train(*registry, "t", 2.0).status());
  std::vector<std::pair<std::string, int64_t>> listed;
  for (const v1::ModelVersion& v : registry->List("t", "")) {
    listed.emplace_back(v.model(), v.version());
  }
  EXPECT_THAT(listed, ElementsAre(Pair("fixed", 0), Pair("knn", 2), Pair("knn", 1)));
  EXPECT_TRUE(registry->List("t", "nope").empty());
}

TEST_F(RegistryTest, PruneKeepsTheNewestAndTheCurrent) {
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  for (int i = 1; i <= 6; ++i) {
    ASSERT_OK(Train(*registry, "t", i).status());
  }
  ASSERT_OK(registry->Promote("t", "knn", 2));
  ASSERT_OK_AND_ASSIGN(PendingVersion in_flight, registry->BeginVersion("t", "knn"));
  EXPECT_THAT(registry->Prune("t", "knn", 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(registry->Prune("t", "nope", 1), StatusIs(absl::StatusCode::kNotFound));

  ASSERT_OK(registry->Prune("t", "knn", 3));
  std::vector<int64_t> left;
  for (const v1::ModelVersion& v : registry->List("t", "knn")) {
    left.push_back(v.version());
  }
  EXPECT_THAT(left, ElementsAre(7, 6, 5, 2));
  EXPECT_FALSE(std::filesystem::exists(VersionDir("t", 1)));
  EXPECT_EQ(ServedValue(*registry, "t"), 2.0);

  ASSERT_OK(registry->Prune("t", "knn", 1));
  left.clear();
  for (const v1::ModelVersion& v : registry->List("t", "knn")) {
    left.push_back(v.version());
  }
  EXPECT_THAT(left, ElementsAre(7, 2));
  ASSERT_OK(registry->FailVersion(in_flight, absl::CancelledError("stop"), {}));
  ASSERT_OK_AND_ASSIGN(int64_t next, Train(*registry, "t", 8.0));
  EXPECT_EQ(next, 8);
}

}  // namespace
}  // namespace recplat::registry
