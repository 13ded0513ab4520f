// File: engine_fixture.h
//
// EngineTest: the fixture of the engine tests. A RocksDB state store with items i0..i9 (i1
// unavailable, categories a for i0..i4 and b for i5..i9, published at 1000 + i), a registry of
// ScriptedFamily models (tests/core/engine/scripted_family.h: family "scripted", untrained, and
// "scripted_trained", trainable: versions come from Publish), `random`, and an engine on one
// surface "default" (plus `extra_surfaces_`), built by Build().
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "gtest/gtest.h"
#include "tests/core/engine/scripted_family.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::engine {

inline std::vector<std::string> Ids(const v1::RecommendResponse& r) {
  std::vector<std::string> out;
  for (const auto& it : r.items()) out.push_back(it.item_id());
  return out;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(families_.Register(std::make_unique<testing::ScriptedFamily>("scripted")));
    ASSERT_OK(families_.Register(
        std::make_unique<testing::ScriptedFamily>("scripted_trained", /*trainable=*/true)));
    ASSERT_OK(models::RegisterBuiltinFamilies(&families_));
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
    // Items i0..i9; i1 unavailable; categories alternate a/b.
    std::deque<v1::LogRecord> records;
    for (int i = 0; i < 10; ++i) {
      v1::LogRecord& r = records.emplace_back();
      v1::Item* item = r.mutable_item_upsert();
      item->set_tenant("default");
      item->set_id("i" + std::to_string(i));
      item->add_categories(i < 5 ? "a" : "b");
      item->set_available(i != 1);
      item->set_published_at_ms(1000 + i);
    }
    Apply(records);
  }

  void Apply(std::deque<v1::LogRecord>& records) {
    std::vector<state::OffsetRecord> batch;
    for (auto& r : records) batch.push_back({offset_++, &r});
    ASSERT_OK(state_->Apply(batch));
  }

  void UpsertItem(const v1::Item& item) {
    std::deque<v1::LogRecord> records(1);
    *records[0].mutable_item_upsert() = item;
    records[0].mutable_item_upsert()->set_tenant("default");
    Apply(records);
  }

  void View(const std::string& user, const std::string& item, const std::string& type = "view",
            double value = 1.0, const std::string& session = "") {
    std::deque<v1::LogRecord> records(1);
    v1::Event* e = records[0].mutable_event();
    e->set_tenant("default");
    e->set_user_id(user);
    e->set_session_id(session);
    e->set_item_id(item);
    e->set_type(type);
    e->set_value(value);
    e->set_timestamp_ms(clock_.NowMs());
    Apply(records);
  }

  // Builds registry + engine with `models` (name -> params; family "scripted" unless the params
  // name another in "family") and `surface` as "default". `tweak` may adjust the options (model
  // configs, seed, ...) before the engine is made.
  void Build(std::map<std::string, std::map<std::string, std::string>> models,
             config::SurfaceConfig surface,
             const std::function<void(EngineOptions&)>& tweak = nullptr) {
    engine_.reset();
    registry::RegistryOptions ro;
    ro.root = dir_.path() / "models";
    ro.families = &families_;
    ro.clock = &clock_;
    for (auto& [name, params] : models) {
      config::ModelConfig mc;
      mc.family = params.count("family") > 0 ? params["family"] : "scripted";
      params.erase("family");
      mc.params = params;
      ro.models[name] = mc;
    }
    config::ModelConfig random;
    random.family = "random";
    ro.models["random"] = random;
    ASSERT_OK_AND_ASSIGN(registry_, registry::ModelRegistry::Create(ro));
    surface.retrieval.push_back("random");
    EngineOptions eo;
    eo.surfaces["default"] = surface;
    for (auto& [name, s] : extra_surfaces_) {
      s.retrieval.push_back("random");
      eo.surfaces[name] = s;
    }
    eo.non_history_event_types = non_history_;
    eo.models = ro.models;
    eo.rng_seed = 42;
    if (tweak) tweak(eo);
    options_ = eo;
    engine_ = std::make_unique<Engine>(eo, *state_, *registry_, clock_, metrics_);
  }

  // A new engine with the options of the last Build and another seed.
  void Reseed(uint64_t seed) {
    engine_.reset();
    options_.rng_seed = seed;
    engine_ = std::make_unique<Engine>(options_, *state_, *registry_, clock_, metrics_);
  }

  // Trains (with its configured params), commits and promotes the next version of a model of
  // family scripted_trained; returns the version.
  int64_t Publish(const std::string& model) {
    auto pending = registry_->BeginVersion("default", model);
    EXPECT_OK(pending.status());
    if (!pending.ok()) return 0;
    const config::ModelConfig* mc = registry_->FindConfig(model);
    auto trained =
        registry_->FamilyOf(model)->Fit(models::TrainingData(), models::ModelParams(mc->params));
    EXPECT_OK(trained.status());
    if (!trained.ok()) return 0;
    EXPECT_OK(registry_->CommitVersion(*pending, **trained, v1::TrainingStats()));
    EXPECT_OK(registry_->Promote("default", model, pending->version).status());
    return pending->version;
  }

  v1::RecommendRequest Request(int k, const std::string& user = "") {
    v1::RecommendRequest r;
    r.set_tenant("default");
    r.set_k(k);
    r.set_user_id(user);
    return r;
  }

  // The served lists of the default tenant recorded so far (after a flush).
  std::vector<v1::ServedList> Served(state::ServedListScan scan = {}) {
    EXPECT_OK(engine_->FlushServedLists());
    std::vector<v1::ServedList> out;
    std::string next;
    EXPECT_OK(state_->ScanServed("default", scan, &out, &next));
    return out;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  prometheus::Registry metrics_;
  models::ModelFamilyRegistry families_;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<registry::ModelRegistry> registry_;
  std::unique_ptr<Engine> engine_;
  EngineOptions options_;
  uint64_t offset_ = 0;
  std::vector<std::string> non_history_;
  std::map<std::string, config::SurfaceConfig> extra_surfaces_;
};

}  // namespace recplat::engine
