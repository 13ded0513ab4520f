// The module loader's search order and its FAILED_PRECONDITION texts.
#include "trainers/torch_common/module_loader.h"

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recplat::torch_common {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kEnv[] = "RECPLAT_TORCH_COMMON_TEST_MODULE";

TorchModuleSpec Spec(std::string_view file_name, std::string_view build_path) {
  return {.what = "test: cannot load the LibTorch module",
          .env_var = kEnv,
          .build_path = build_path,
          .file_name = file_name,
          .symbol = "RecplatNoSuchTorchApi",
          .version = 7};
}

TEST(TorchModuleLoaderTest, NamesEveryPathTriedInSearchOrder) {
  ASSERT_EQ(setenv(kEnv, "/nonexistent/env/libm.so", 1), 0);
  absl::StatusOr<const void*> table =
      LoadTorchModule(Spec("librecplat_no_such_module.so", "/nonexistent/build/libm.so"));
  unsetenv(kEnv);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(table.status().message());
  EXPECT_THAT(message, StartsWith("test: cannot load the LibTorch module; tried: "
                                  "/nonexistent/env/libm.so (missing); "
                                  "/nonexistent/build/libm.so (missing); /"));
  EXPECT_THAT(message, HasSubstr("/librecplat_no_such_module.so (missing); "
                                 "librecplat_no_such_module.so ("));
  EXPECT_THAT(message, EndsWith(
      "); (build with RECPLAT_ENABLE_TORCH, or set RECPLAT_TORCH_COMMON_TEST_MODULE)"));
}

TEST(TorchModuleLoaderTest, EmptyEnvAndBuildPathAreSkipped) {
  ASSERT_EQ(setenv(kEnv, "", 1), 0);
  absl::StatusOr<const void*> table = LoadTorchModule(Spec("librecplat_no_such_module.so", ""));
  unsetenv(kEnv);
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(std::string(table.status().message()),
              StartsWith("test: cannot load the LibTorch module; tried: /"));
}

TEST(TorchModuleLoaderTest, RefusesALibraryWithoutTheEntryPoint) {
  // libm opens through the linker's search path but exports no table.
  absl::StatusOr<const void*> table = LoadTorchModule(Spec("libm.so.6", ""));
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(table.status().message()),
              HasSubstr(" libm.so.6 (no RecplatNoSuchTorchApi of version 7);"));
}

}  // namespace
}  // namespace recplat::torch_common
