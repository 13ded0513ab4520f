// The trainer's incremental path (ModelFamily::Update): when it is taken, what it is given,
// how versions record it, the fall-backs to a full fit and failures.
#include <fstream>
#include <memory>
#include <string>

#include "core/training/trainer.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::training {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;

// A model that remembers how it was made: "fit" or "update", and how many updates since.
class GenerationModel final : public models::Model {
 public:
  GenerationModel(std::string kind, int generation) : kind_(std::move(kind)), gen_(generation) {}
  const std::string& kind() const { return kind_; }
  int generation() const { return gen_; }
  bool Ready(const models::RecommendContext&) const override { return true; }
  absl::Status Retrieve(const models::RecommendContext&, size_t,
                        std::vector<models::ScoredItem>*) const override {
    return absl::OkStatus();
  }
  absl::Status Score(const models::RecommendContext&,
                     std::span<models::ScoredItem>) const override {
    return absl::OkStatus();
  }
  absl::Status Save(const std::filesystem::path& dir) const override {
    std::ofstream(dir / "model.txt") << kind_ << " " << gen_;
    return absl::OkStatus();
  }
  std::vector<std::pair<std::string, double>> Metrics() const override {
    return {{"generation", gen_}};
  }

 private:
  const std::string kind_;
  const int gen_;
};

class IncrementalFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "inc"; }
  absl::Status ValidateParams(const models::ModelParams&) const override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(const models::TrainingData&,
                                                     const models::ModelParams&) const override {
    ++fits;
    return std::make_unique<GenerationModel>("fit", 0);
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams&) const override {
    std::string kind;
    int gen = -1;
    std::ifstream(dir / "model.txt") >> kind >> gen;
    if (gen < 0) return absl::DataLossError("no model.txt");
    return std::make_unique<GenerationModel>(kind, gen);
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Update(const models::Model& previous,
                                                        const models::TrainingData& data,
                                                        const models::ModelParams&,
                                                        int64_t since_ms) const override {
    ++updates;
    last_since_ms = since_ms;
    last_interactions = data.interactions.size();
    if (!update_error.ok()) return update_error;
    const auto& prev = dynamic_cast<const GenerationModel&>(previous);
    return std::make_unique<GenerationModel>("update", prev.generation() + 1);
  }

  mutable int fits = 0;
  mutable int updates = 0;
  mutable int64_t last_since_ms = -1;
  mutable size_t last_interactions = 0;
  absl::Status update_error;
};

class IncrementalTrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto family = std::make_unique<IncrementalFamily>();
    family_ = family.get();
    ASSERT_OK(families_.Register(std::move(family)));
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
    AddEvents(4);
  }

  // (Re)creates the registry and the trainer on the same directories, like a restart.
  void Build(std::map<std::string, std::string> params) {
    trainer_.reset();
    registry_.reset();
    registry::RegistryOptions ro;
    ro.root = dir_.path() / "models";
    ro.families = &families_;
    ro.clock = &clock_;
    config::ModelConfig mc;
    mc.family = "inc";
    mc.params = std::move(params);
    mc.keep_versions = 20;
    ro.models["m"] = mc;
    ASSERT_OK_AND_ASSIGN(registry_, registry::ModelRegistry::Create(ro));
    TrainerOptions to;
    to.event_types = {{"view", {1.0}}};
    trainer_ = std::make_unique<Trainer>(to, *state_, *registry_, clock_, metrics_);
  }

  void AddEvents(int n) {
    std::deque<v1::LogRecord> records(n);
    std::vector<state::OffsetRecord> batch;
    for (int i = 0; i < n; ++i) {
      v1::Event* e = records[i].mutable_event();
      e->set_tenant("default");
      e->set_user_id("u" + std::to_string(i % 2));
      e->set_item_id("i" + std::to_string(i % 3));
      e->set_type("view");
      e->set_timestamp_ms(clock_.NowMs());
      batch.push_back({offset_++, &records[i]});
    }
    ASSERT_OK(state_->Apply(batch));
  }

  // Trains once (a minute later than the last time) and returns the version.
  v1::ModelVersion Train() {
    clock_.AdvanceMs(60000);
    AddEvents(2);
    absl::StatusOr<v1::ModelVersion> v = trainer_->TrainNow("default", "m", "api");
    EXPECT_OK(v.status());
    return v.ok() ? *v : v1::ModelVersion();
  }

  const GenerationModel& Serving() {
    serving_ = registry_->Current("default", "m");
    return dynamic_cast<const GenerationModel&>(*serving_->model);
  }

  TempDir dir_;
  FakeClock clock_;
  prometheus::Registry metrics_;
  models::ModelFamilyRegistry families_;
  IncrementalFamily* family_ = nullptr;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<registry::ModelRegistry> registry_;
  std::unique_ptr<Trainer> trainer_;
  registry::ModelHandle serving_;
  uint64_t offset_ = 0;
};

TEST_F(IncrementalTrainingTest, UpdatesUntilFullRetrainEveryThenFitsAgain) {
  Build({{"full_retrain_every", "2"}});
  const v1::ModelVersion v1 = Train();
  EXPECT_EQ(family_->fits, 1);
  EXPECT_EQ(family_->updates, 0);
  EXPECT_EQ(v1.metrics().at(Trainer::kIncrementalMetric), 0.0);
  EXPECT_EQ(v1.metrics().at(Trainer::kSinceFullMetric), 0.0);
  EXPECT_EQ(v1.metrics().at("generation"), 0.0);  // The model's own metrics are kept.

  const v1::ModelVersion v2 = Train();
  EXPECT_EQ(family_->updates, 1);
  // Since the creation of the version it continues, on the whole current data.
  EXPECT_EQ(family_->last_since_ms, v1.created_at_ms());
  EXPECT_EQ(family_->last_interactions, 8u);
  EXPECT_EQ(v2.metrics().at(Trainer::kIncrementalMetric), 1.0);
  EXPECT_EQ(v2.metrics().at(Trainer::kSinceFullMetric), 1.0);
  EXPECT_EQ(Serving().kind(), "update");
  EXPECT_EQ(Serving().generation(), 1);

  const v1::ModelVersion v3 = Train();
  EXPECT_EQ(family_->last_since_ms, v2.created_at_ms());
  EXPECT_EQ(v3.metrics().at(Trainer::kSinceFullMetric), 2.0);
  EXPECT_EQ(Serving().generation(), 2);

  const v1::ModelVersion v4 = Train();  // Two incremental ones since the full: fit again.
  EXPECT_EQ(family_->fits, 2);
  EXPECT_EQ(family_->updates, 2);
  EXPECT_EQ(v4.metrics().at(Trainer::kIncrementalMetric), 0.0);
  EXPECT_EQ(Serving().kind(), "fit");
}

TEST_F(IncrementalTrainingTest, TheCountSurvivesARestart) {
  Build({{"full_retrain_every", "2"}});
  Train();
  Train();
  Build({{"full_retrain_every", "2"}});  // The current version is loaded from disk.
  EXPECT_EQ(Serving().generation(), 1);
  const v1::ModelVersion v3 = Train();
  EXPECT_EQ(family_->updates, 2);
  EXPECT_EQ(v3.metrics().at(Trainer::kSinceFullMetric), 2.0);
  Train();
  EXPECT_EQ(family_->fits, 2);
}

TEST_F(IncrementalTrainingTest, DefaultAndZeroFullRetrainEvery) {
  Build({});  // models::kDefaultFullRetrainEvery applies.
  for (int k = 0; k < 3; ++k) Train();
  EXPECT_EQ(family_->fits, 1);
  EXPECT_EQ(family_->updates, 2);
  Build({{"full_retrain_every", "0"}});
  Train();
  Train();
  EXPECT_EQ(family_->fits, 3);
  EXPECT_EQ(family_->updates, 2);
}

TEST_F(IncrementalTrainingTest, UnimplementedOrFailedPreconditionFallBackToAFullFit) {
  Build({});
  Train();
  for (absl::Status error : {absl::UnimplementedError("no"), absl::FailedPreconditionError("x")}) {
    family_->update_error = error;
    const int fits = family_->fits;
    const v1::ModelVersion v = Train();
    EXPECT_EQ(family_->fits, fits + 1);
    EXPECT_EQ(v.status(), v1::MODEL_STATUS_CURRENT);
    EXPECT_EQ(v.metrics().at(Trainer::kIncrementalMetric), 0.0);
    EXPECT_EQ(Serving().kind(), "fit");
  }
}

TEST_F(IncrementalTrainingTest, AFailedUpdateIsRecordedAndThePreviousVersionKeepsServing) {
  Build({});
  Train();
  const v1::ModelVersion v2 = Train();
  family_->update_error = absl::InternalError("diverged");
  clock_.AdvanceMs(60000);
  EXPECT_THAT(trainer_->TrainNow("default", "m", "api"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(registry_->Current("default", "m")->version, v2.version());
  const std::vector<v1::ModelVersion> versions = registry_->List("default", "m");
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].status(), v1::MODEL_STATUS_FAILED);
  EXPECT_THAT(versions[0].error(), ::testing::HasSubstr("diverged"));
  family_->update_error = absl::OkStatus();
  const v1::ModelVersion v4 = Train();  // Continues from the version still serving.
  EXPECT_EQ(v4.metrics().at(Trainer::kSinceFullMetric), 2.0);
  EXPECT_EQ(family_->last_since_ms, v2.created_at_ms());
}

}  // namespace
}  // namespace recplat::training
