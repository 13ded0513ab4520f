#include "core/common/s3/aws_credentials.h"

#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::s3 {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class AwsCredentialsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(AwsCredentialsTest, EnvironmentVariablesComeFirst) {
  const std::string file = Write("credentials", "[default]\naws_access_key_id = FILEID\n"
                                                "aws_secret_access_key = FILESECRET\n");
  ASSERT_OK_AND_ASSIGN(Credentials credentials,
                       ResolveCredentials(Env({{"AWS_ACCESS_KEY_ID", "ENVID"},
                                               {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                               {"AWS_SESSION_TOKEN", "TOKEN"},
                                               {"AWS_SHARED_CREDENTIALS_FILE", file}})));
  EXPECT_EQ(credentials.access_key_id, "ENVID");
  EXPECT_EQ(credentials.secret_access_key, "ENVSECRET");
  EXPECT_EQ(credentials.session_token, "TOKEN");
}

TEST_F(AwsCredentialsTest, HalfAPairIsAnError) {
  EXPECT_THAT(ResolveCredentials(Env({{"AWS_ACCESS_KEY_ID", "ID"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("AWS_SECRET_ACCESS_KEY")));
  const std::string file = Write("credentials", "[default]\naws_access_key_id=ID\n");
  EXPECT_THAT(ResolveCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("aws_secret_access_key")));
}

TEST_F(AwsCredentialsTest, SharedFileProfiles) {
  const std::string file = Write("credentials",
                                 "# comment\n[default]\naws_access_key_id = DEFID\n"
                                 "aws_secret_access_key = DEFSECRET\n\n[batch]\n"
                                 "AWS_ACCESS_KEY_ID=BATCHID\naws_secret_access_key= BATCH/SECRET+=\n"
                                 "aws_session_token = T\n");
  ASSERT_OK_AND_ASSIGN(Credentials def,
                       ResolveCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file}})));
  EXPECT_EQ(def.access_key_id, "DEFID");
  EXPECT_TRUE(def.session_token.empty());
  ASSERT_OK_AND_ASSIGN(Credentials batch,
                       ResolveCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file},
                                               {"AWS_PROFILE", "batch"}})));
  EXPECT_EQ(batch.access_key_id, "BATCHID");
  EXPECT_EQ(batch.secret_access_key, "BATCH/SECRET+=");
  EXPECT_EQ(batch.session_token, "T");
  // ~/.aws/credentials through HOME.
  std::filesystem::create_directories(dir_.path() / ".aws");
  Write(".aws/credentials", "[default]\naws_access_key_id=HOMEID\naws_secret_access_key=S\n");
  ASSERT_OK_AND_ASSIGN(Credentials home,
                       ResolveCredentials(Env({{"HOME", dir_.path().string()}})));
  EXPECT_EQ(home.access_key_id, "HOMEID");
}

TEST_F(AwsCredentialsTest, NothingConfiguredIsEmptyButANamedMissingFileIsAnError) {
  ASSERT_OK_AND_ASSIGN(Credentials none, ResolveCredentials(Env({{"HOME", "/nonexistent"}})));
  EXPECT_TRUE(none.empty());
  EXPECT_THAT(ResolveCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/creds"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("/nonexistent/creds")));
}

TEST_F(AwsCredentialsTest, RegionChain) {
  const std::string config = Write("config", "[default]\nregion = eu-west-1\n"
                                             "[profile batch]\nregion=eu-central-1\n");
  EXPECT_EQ(ResolveRegion(Env({{"AWS_REGION", "us-west-2"}, {"AWS_DEFAULT_REGION", "x"}})),
            "us-west-2");
  EXPECT_EQ(ResolveRegion(Env({{"AWS_DEFAULT_REGION", "ap-south-1"}, {"AWS_CONFIG_FILE", config}})),
            "ap-south-1");
  EXPECT_EQ(ResolveRegion(Env({{"AWS_CONFIG_FILE", config}})), "eu-west-1");
  EXPECT_EQ(ResolveRegion(Env({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "batch"}})),
            "eu-central-1");
  EXPECT_EQ(ResolveRegion(Env({}), "us-east-1"), "us-east-1");
}

}  // namespace
}  // namespace recplat::s3
