// core/api/api_keys.h: what each Api method needs, the check of both key levels, key parsing
// and reading keys from files and environment variables.
#include "core/api/api_keys.h"

#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

#include "core/api/status_mapping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::api {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUser[] = "user-key-0123456789abcdef";
constexpr char kUser2[] = "user-key-rotated-0123456789";
constexpr char kAdmin[] = "admin-key-0123456789abcdef";

std::string Bearer(const std::string& key) { return "Bearer " + key; }

TEST(RequiredAccessTest, EveryApiMethodHasItsLevel) {
  for (const char* user : {"UpsertItems", "GetItem", "ListItems", "UpsertUsers", "GetUser",
                           "Write", "AppendEvents", "PutDocuments", "GetDocuments",
                           "ScanDocuments", "Recommend", "SimilarItems", "ListModels"}) {
    EXPECT_EQ(RequiredAccess(user), Access::kUser) << user;
  }
  for (const char* admin : {"DeleteItems", "ScanServed", "Train", "Promote", "GetStats",
                            "GetConfig"}) {
    EXPECT_EQ(RequiredAccess(admin), Access::kAdmin) << admin;
  }
  // Fail closed: a method nobody classified needs admin.
  EXPECT_EQ(RequiredAccess("SomethingNew"), Access::kAdmin);
}

TEST(RequiredAccessTest, AWriteThatDeletesItemsNeedsAdmin) {
  v1::WriteRequest write;
  write.add_ops()->mutable_upsert_item()->set_id("a");
  write.add_ops()->mutable_event()->set_item_id("a");
  EXPECT_EQ(RequiredAccess(write), Access::kUser);
  write.add_ops()->mutable_shop()->set_deleted(true);  // shop sync: still a user write
  EXPECT_EQ(RequiredAccess(write), Access::kUser);
  write.add_ops()->mutable_delete_item()->set_id("a");
  EXPECT_EQ(RequiredAccess(write), Access::kAdmin);
}

// docs/operations.md ("Access control and TLS") lists, per level, the gRPC methods as
// "Service/Method, Method; Service/Method (...)": it must agree with RequiredAccess, and name
// every method.
TEST(RequiredAccessTest, TheOperationsTableAgrees) {
  std::ifstream in(testing::SourceDir() / "docs" / "operations.md");
  ASSERT_TRUE(in) << "docs/operations.md";
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> listed;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    Access level;
    if (absl::StartsWith(line, "| user | ")) {
      level = Access::kUser;
    } else if (absl::StartsWith(line, "| admin | ")) {
      level = Access::kAdmin;
    } else {
      continue;
    }
    const std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
    ASSERT_GE(cells.size(), 4u) << line;
    for (absl::string_view group : absl::StrSplit(cells[2], ';')) {
      const size_t slash = group.find('/');
      ASSERT_NE(slash, absl::string_view::npos) << group;
      for (absl::string_view method : absl::StrSplit(group.substr(slash + 1), ',')) {
        method = absl::StripAsciiWhitespace(method.substr(0, method.find(" (")));
        method = method.substr(0, method.find(' '));
        if (method.empty()) continue;
        // Write is in both rows: its level depends on its ops (AWriteThatDeletesItemsNeedsAdmin).
        if (method != "Write") {
          EXPECT_EQ(RequiredAccess(std::string(method)), level)
              << method << " is listed as " << AccessName(level);
        }
        listed.insert(std::string(method));
      }
    }
  }
  for (const char* method :
       {"UpsertItems", "DeleteItems", "GetItem", "ListItems", "UpsertUsers", "GetUser", "Write",
        "AppendEvents", "PutDocuments", "GetDocuments", "ScanDocuments", "Recommend",
        "SimilarItems", "ScanServed", "ListModels", "Train", "Promote", "GetStats",
        "GetConfig"}) {
    EXPECT_TRUE(listed.contains(method)) << method << " is missing from docs/operations.md";
  }
}

TEST(ApiKeysTest, WithoutKeysEverythingIsOpen) {
  const ApiKeys keys;
  EXPECT_FALSE(keys.enabled());
  for (Access access : {Access::kOpen, Access::kUser, Access::kAdmin}) {
    EXPECT_EQ(keys.Check("", access), AuthResult::kOk);
    EXPECT_EQ(keys.Check("Bearer whatever", access), AuthResult::kOk);
  }
}

TEST(ApiKeysTest, BothLevels) {
  ASSERT_OK_AND_ASSIGN(ApiKeys keys, ApiKeys::Create({kUser, kUser2}, {kAdmin}));
  EXPECT_TRUE(keys.enabled());
  EXPECT_EQ(keys.user_key_count(), 2u);
  EXPECT_EQ(keys.admin_key_count(), 1u);
  EXPECT_EQ(keys.Check("", Access::kOpen), AuthResult::kOk);
  EXPECT_EQ(keys.Check("", Access::kUser), AuthResult::kMissing);
  EXPECT_EQ(keys.Check("", Access::kAdmin), AuthResult::kMissing);
  EXPECT_EQ(keys.Check(Bearer(kUser), Access::kUser), AuthResult::kOk);
  EXPECT_EQ(keys.Check(Bearer(kUser2), Access::kUser), AuthResult::kOk);
  EXPECT_EQ(keys.Check(Bearer(kUser), Access::kAdmin), AuthResult::kForbidden);
  EXPECT_EQ(keys.Check(Bearer(kAdmin), Access::kAdmin), AuthResult::kOk);
  EXPECT_EQ(keys.Check(Bearer(kAdmin), Access::kUser), AuthResult::kOk);
  EXPECT_EQ(keys.Check(Bearer("nope-nope-nope-nope-nope"), Access::kUser), AuthResult::kInvalid);
  EXPECT_EQ(keys.Check(Bearer("nope-nope-nope-nope-nope"), Access::kAdmin),
            AuthResult::kInvalid);
}

TEST(ApiKeysTest, OnlyExactKeysMatch) {
  ASSERT_OK_AND_ASSIGN(ApiKeys keys, ApiKeys::Create({kUser}, {}));
  const std::string key = kUser;
  for (const std::string& wrong :
       {key.substr(0, key.size() - 1), key.substr(1), key + "x", key + "=", "x" + key,
        std::string(key.size(), 'a'), std::string(kMaxApiKeyBytes + 1, 'a'), std::string("")}) {
    EXPECT_EQ(keys.Check(Bearer(wrong), Access::kUser), AuthResult::kInvalid) << wrong;
  }
  // A key that differs only in its last byte.
  std::string last = key;
  last.back() = 'e';
  EXPECT_EQ(keys.Check(Bearer(last), Access::kUser), AuthResult::kInvalid);
}

TEST(ApiKeysTest, TheBearerScheme) {
  ASSERT_OK_AND_ASSIGN(ApiKeys keys, ApiKeys::Create({kUser}, {}));
  EXPECT_EQ(keys.Check(std::string("bearer ") + kUser, Access::kUser), AuthResult::kOk);
  EXPECT_EQ(keys.Check(std::string("BEARER\t  ") + kUser + " ", Access::kUser), AuthResult::kOk);
  EXPECT_EQ(keys.Check(kUser, Access::kUser), AuthResult::kMissing);
  EXPECT_EQ(keys.Check(std::string("Basic ") + kUser, Access::kUser), AuthResult::kMissing);
  EXPECT_EQ(keys.Check(std::string("Bearer") + kUser, Access::kUser), AuthResult::kMissing);
  EXPECT_EQ(keys.Check("Bearer", Access::kUser), AuthResult::kMissing);
  EXPECT_EQ(keys.Check("Bearer ", Access::kUser), AuthResult::kInvalid);
}

TEST(ApiKeysTest, ALevelWithoutKeysIsNotEnforced) {
  // Only admin keys: user operations stay open, admin operations need an admin key.
  ASSERT_OK_AND_ASSIGN(ApiKeys admin_only, ApiKeys::Create({}, {kAdmin}));
  EXPECT_EQ(admin_only.Check("", Access::kUser), AuthResult::kOk);
  EXPECT_EQ(admin_only.Check("", Access::kAdmin), AuthResult::kMissing);
  EXPECT_EQ(admin_only.Check(Bearer(kAdmin), Access::kAdmin), AuthResult::kOk);
  // Only user keys: admin operations need what user operations need.
  ASSERT_OK_AND_ASSIGN(ApiKeys user_only, ApiKeys::Create({kUser}, {}));
  EXPECT_EQ(user_only.Check("", Access::kAdmin), AuthResult::kMissing);
  EXPECT_EQ(user_only.Check(Bearer(kUser), Access::kAdmin), AuthResult::kOk);
}

TEST(ApiKeysTest, CreateRefusesBadKeys) {
  EXPECT_THAT(ApiKeys::Create({"short"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("user key #1")));
  EXPECT_THAT(ApiKeys::Create({kUser, "has a space in it 0123"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("user key #2"), Not(HasSubstr("space in it")))));
  EXPECT_THAT(ApiKeys::Create({}, {std::string(kMaxApiKeyBytes + 1, 'a')}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("admin key #1")));
  EXPECT_THAT(ApiKeys::Create({kUser}, {kUser}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("also a user key"), Not(HasSubstr(kUser)))));
  // Base64 padding, and a key given twice is kept once.
  ASSERT_OK_AND_ASSIGN(ApiKeys padded,
                       ApiKeys::Create({"abcdefghijklmnop+/==", "abcdefghijklmnop+/=="}, {}));
  EXPECT_EQ(padded.user_key_count(), 1u);
  EXPECT_THAT(ApiKeys::Create({"=abcdefghijklmnopq"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AuthStatusTest, RefusalsMapTo401And403ThroughTheOneTable) {
  EXPECT_OK(AuthStatus(AuthResult::kOk));
  for (AuthResult r : {AuthResult::kMissing, AuthResult::kInvalid}) {
    EXPECT_THAT(AuthStatus(r), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_EQ(HttpStatusFor(AuthStatus(r).code()), 401);
  }
  EXPECT_THAT(AuthStatus(AuthResult::kForbidden), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(HttpStatusFor(AuthStatus(AuthResult::kForbidden).code()), 403);
  EXPECT_EQ(AuthResultName(AuthResult::kMissing), "missing");
  EXPECT_EQ(AuthResultName(AuthResult::kInvalid), "invalid");
  EXPECT_EQ(AuthResultName(AuthResult::kForbidden), "forbidden");
  EXPECT_EQ(AccessName(Access::kAdmin), "admin");
}

TEST(ParseApiKeysTest, OnePerLineWithCommentsAndCommas) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> keys,
                       ParseApiKeys("# rotation: new key first\n"
                                    "  user-key-0123456789abcdef  \r\n"
                                    "\n"
                                    "key-number-two-0123456789,key-number-three-012345\n"));
  EXPECT_THAT(keys, ElementsAre("user-key-0123456789abcdef", "key-number-two-0123456789",
                                "key-number-three-012345"));
  ASSERT_OK_AND_ASSIGN(keys, ParseApiKeys("\n# nothing\n"));
  EXPECT_TRUE(keys.empty());
  EXPECT_THAT(ParseApiKeys("user-key-0123456789abcdef\nsecret value with spaces 0123\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 2"), Not(HasSubstr("secret")))));
}

class ReadApiKeysTest : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("TEST_RECPLAT_KEYS_VAR"); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
};

TEST_F(ReadApiKeysTest, FileAndVariableTogether) {
  const std::string file = WriteFile("keys", std::string(kUser) + "\n" + kUser2 + "\n");
  ::setenv("TEST_RECPLAT_KEYS_VAR", kAdmin, 1);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> keys,
                       ReadApiKeys({file, "TEST_RECPLAT_KEYS_VAR", "auth.api_key_file",
                                    "auth.api_key_env"}));
  EXPECT_THAT(keys, ElementsAre(kUser, kUser2, kAdmin));
  ASSERT_OK_AND_ASSIGN(keys, ReadApiKeys({"", "", "a", "b"}));
  EXPECT_TRUE(keys.empty());
}

TEST_F(ReadApiKeysTest, ErrorsNameTheKeyNeverTheSecret) {
  const std::string missing = (dir_.path() / "missing").string();
  EXPECT_THAT(ReadApiKeys({missing, "", "auth.api_key_file", "auth.api_key_env"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("auth.api_key_file"), HasSubstr(missing),
                             HasSubstr("No such file"))));
  EXPECT_THAT(ReadApiKeys({WriteFile("empty", "# none\n"), "", "auth.admin_key_file", "x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("auth.admin_key_file"), HasSubstr("holds no key"))));
  EXPECT_THAT(ReadApiKeys({"", "TEST_RECPLAT_KEYS_VAR", "x", "auth.api_key_env"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("auth.api_key_env"), HasSubstr("is not set"))));
  ::setenv("TEST_RECPLAT_KEYS_VAR", "too-short", 1);
  EXPECT_THAT(ReadApiKeys({"", "TEST_RECPLAT_KEYS_VAR", "x", "auth.api_key_env"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("auth.api_key_env"), Not(HasSubstr("too-short")))));
  EXPECT_THAT(ReadApiKeys({dir_.path().string(), "", "auth.api_key_file", "x"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("auth.api_key_file")));
}

}  // namespace
}  // namespace recplat::api
