// File: registry_test_fixture.h
//
// RegistryTest: a ModelRegistry over a temporary root, with two fake families:
//   "fake"  (trainable)   configured as model "knn" (params alpha=0.5)
//   "fixed" (untrained)   configured as model "fixed" (params value=7)
// and helpers to train versions and to craft the on-disk layout by hand.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "core/common/status_macros.h"
#include "core/registry/model_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_model_family.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::registry {

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() {
    auto fake = std::make_unique<recplat::testing::FakeModelFamily>("fake");
    fake_ = fake.get();
    auto fixed = std::make_unique<recplat::testing::FakeModelFamily>("fixed", false);
    fixed_ = fixed.get();
    EXPECT_TRUE(families_.Register(std::move(fake)).ok());
    EXPECT_TRUE(families_.Register(std::move(fixed)).ok());

    config::ModelConfig knn;
    knn.family = "fake";
    knn.params = {{"alpha", "0.5"}};
    models_["knn"] = knn;
    config::ModelConfig fixed_config;
    fixed_config.family = "fixed";
    fixed_config.params = {{"value", "7"}};
    models_["fixed"] = fixed_config;
  }

  static config::ModelConfig FamilyConfig(const std::string& family) {
    config::ModelConfig config;
    config.family = family;
    return config;
  }

  std::filesystem::path root() const { return dir_.path() / "models"; }

  RegistryOptions Options() const {
    RegistryOptions options;
    options.root = root();
    options.families = &families_;
    options.clock = &clock_;
    options.models = models_;
    return options;
  }

  absl::StatusOr<std::unique_ptr<ModelRegistry>> Open() { return ModelRegistry::Create(Options()); }

  // Begins and commits a version of (tenant, "knn") whose model has `value`; its number.
  absl::StatusOr<int64_t> Train(ModelRegistry& registry, absl::string_view tenant, double value) {
    RECPLAT_ASSIGN_OR_RETURN(PendingVersion pending, registry.BeginVersion(tenant, "knn"));
    std::unique_ptr<recplat::testing::FakeModel> model = fake_->MakeModel(value);
    v1::TrainingStats stats;
    stats.set_num_users(10);
    stats.set_trigger("api");
    RECPLAT_RETURN_IF_ERROR(registry.CommitVersion(pending, *model, stats));
    return pending.version;
  }

  // The value of the model serving (tenant, model); -1 when nothing serves.
  static double ServedValue(const ModelRegistry& registry, absl::string_view tenant,
                            absl::string_view model = "knn") {
    ModelHandle handle = registry.Current(tenant, model);
    if (handle == nullptr) {
      return -1;
    }
    return dynamic_cast<const recplat::testing::FakeModel&>(*handle->model).value();
  }

  // Version -> status of (tenant, "knn") as listed.
  static std::map<int64_t, v1::ModelStatus> Statuses(const ModelRegistry& registry,
                                                     absl::string_view tenant) {
    std::map<int64_t, v1::ModelStatus> out;
    for (const v1::ModelVersion& v : registry.List(tenant, "knn")) {
      out[v.version()] = v.status();
    }
    return out;
  }

  // --- Crafting the layout by hand ---

  std::filesystem::path ModelDir(const std::string& tenant, const std::string& model = "knn") {
    return root() / tenant / model;
  }
  std::filesystem::path VersionDir(const std::string& tenant, int64_t version) {
    return ModelDir(tenant) / absl::StrFormat("%020d", version);
  }
  static void WriteFile(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::trunc) << content;
  }
  static std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // A version.json with `status` (e.g. "MODEL_STATUS_PENDING"); `committed` adds `training`.
  void WriteVersionJson(const std::string& tenant, int64_t version, const std::string& status,
                        bool committed = true) {
    WriteFile(VersionDir(tenant, version) / "version.json",
              absl::StrFormat(R"({"tenant": "%s", "model": "knn", "family": "fake",
                                  "version": "%d", "status": "%s"%s})",
                              tenant, version, status,
                              committed ? R"(, "training": {"trigger": "api"})" : ""));
  }
  // An artifact FakeModelFamily::Load accepts, with `value`.
  void WriteArtifact(const std::string& tenant, int64_t version, double value) {
    WriteFile(VersionDir(tenant, version) / "artifact" / "fake_model.txt",
              absl::StrFormat("%g\n0 1 2\n", value));
  }

  recplat::testing::TempDir dir_;
  recplat::testing::FakeClock clock_;
  models::ModelFamilyRegistry families_;
  recplat::testing::FakeModelFamily* fake_ = nullptr;
  recplat::testing::FakeModelFamily* fixed_ = nullptr;
  std::map<std::string, config::ModelConfig> models_;
};

}  // namespace recplat::registry
