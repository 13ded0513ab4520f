// Each class of profile error, with the exact source and dotted key in the message.
#include <string>

#include "core/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::config {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

absl::StatusOr<Config> Parse(const std::string& yaml) {
  return ParseConfig(yaml, "config/x.yaml", {}, {});
}

// The error message of parsing `yaml`, which must fail with INVALID_ARGUMENT.
std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<Config> config = Parse(yaml);
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument)) << yaml;
  return std::string(config.status().message());
}

TEST(ConfigErrorsTest, UnknownKeyWithSuggestion) {
  EXPECT_EQ(ErrorOf("surfaces:\n  home:\n    retreival: [item_knn]\n"),
            "config/x.yaml: key 'surfaces.home.retreival': unknown key; did you mean "
            "'retrieval'?");
  EXPECT_EQ(ErrorOf("api: {max_bach: 1}"),
            "config/x.yaml: key 'api.max_bach': unknown key; did you mean 'max_batch'?");
  EXPECT_EQ(ErrorOf("models: {m: {train: {evry_events: 1}}}"),
            "config/x.yaml: key 'models.m.train.evry_events': unknown key; did you mean "
            "'every_events'?");
  EXPECT_EQ(ErrorOf("grpc: {listne: \"1.2.3.4:5\"}"),
            "config/x.yaml: key 'grpc.listne': unknown key; did you mean 'listen'?");
}

TEST(ConfigErrorsTest, UnknownKeyWithoutNearCandidate) {
  EXPECT_EQ(ErrorOf("completely_unrelated: 1"),
            "config/x.yaml: key 'completely_unrelated': unknown key");
  EXPECT_EQ(ErrorOf("x: 1"), "config/x.yaml: key 'x': unknown key");
  // Short words get at most one edit: "foo" is two edits from "log".
  EXPECT_EQ(ErrorOf("foo: 1"), "config/x.yaml: key 'foo': unknown key");
  EXPECT_EQ(ErrorOf("lg: {}"), "config/x.yaml: key 'lg': unknown key; did you mean 'log'?");
}

TEST(ConfigErrorsTest, BadEnum) {
  EXPECT_EQ(ErrorOf("log: {sync: sometimes}"),
            "config/x.yaml: key 'log.sync': expected one of always, none; got 'sometimes'");
  EXPECT_EQ(ErrorOf("logging: {level: verbose}"),
            "config/x.yaml: key 'logging.level': expected one of trace, debug, info, warn, "
            "error, off; got 'verbose'");
  EXPECT_THAT(ErrorOf("logging: {format: xml}"), HasSubstr("key 'logging.format'"));
  EXPECT_THAT(ErrorOf("surfaces: {s: {diversity: {method: mmr}}}"),
              HasSubstr("key 'surfaces.s.diversity.method': expected one of none, category"));
}

TEST(ConfigErrorsTest, BadIntegers) {
  EXPECT_EQ(ErrorOf("api: {max_batch: abc}"),
            "config/x.yaml: key 'api.max_batch': expected an integer in [1, 1000000]; got 'abc'");
  EXPECT_THAT(ErrorOf("api: {max_batch: 0}"), HasSubstr("got '0'"));
  EXPECT_THAT(ErrorOf("api: {max_batch: 1000001}"), HasSubstr("got '1000001'"));
  EXPECT_THAT(ErrorOf("api: {max_batch: 1.5}"), HasSubstr("got '1.5'"));
  EXPECT_THAT(ErrorOf("models: {m: {keep_versions: 0}}"),
              HasSubstr("key 'models.m.keep_versions': expected an integer >= 1; got '0'"));
  EXPECT_THAT(ErrorOf("models: {m: {keep_versions: 99999999999}}"),
              HasSubstr("key 'models.m.keep_versions'"));
  EXPECT_THAT(ErrorOf("models: {m: {train: {every_events: -1}}}"),
              HasSubstr("key 'models.m.train.every_events': expected an integer >= 0"));
  EXPECT_THAT(ErrorOf("surfaces: {s: {candidates: 0}}"), HasSubstr("key 'surfaces.s.candidates'"));
  EXPECT_THAT(ErrorOf("surfaces: {s: {max_k: 0}}"), HasSubstr("key 'surfaces.s.max_k'"));
  EXPECT_THAT(ErrorOf("surfaces: {s: {history_length: -3}}"),
              HasSubstr("key 'surfaces.s.history_length'"));
  EXPECT_THAT(ErrorOf("api: {max_batch: ~}"), HasSubstr("got null"));
}

TEST(ConfigErrorsTest, BadNumbers) {
  EXPECT_EQ(ErrorOf("event_types: {view: {weight: -1}}"),
            "config/x.yaml: key 'event_types.view.weight': expected a finite number >= 0; got "
            "'-1'");
  for (const char* bad : {".inf", "nan", "1e999", "abc", "0x10"}) {
    EXPECT_THAT(ErrorOf(std::string("state: {counter_half_life_hours: ") + bad + "}"),
                HasSubstr("key 'state.counter_half_life_hours'"))
        << bad;
  }
  EXPECT_THAT(ErrorOf("training: {tick_seconds: 0}"),
              HasSubstr("key 'training.tick_seconds': expected a finite number in (0, 86400]"));
  EXPECT_THAT(ErrorOf("models: {m: {train: {every_seconds: -0.5}}}"),
              HasSubstr("key 'models.m.train.every_seconds'"));
}

TEST(ConfigErrorsTest, WrongNodeType) {
  EXPECT_EQ(ErrorOf("api: [1, 2]"), "config/x.yaml: key 'api': expected a map; got a sequence");
  EXPECT_EQ(ErrorOf("api: {max_batch: {a: 1}}"),
            "config/x.yaml: key 'api.max_batch': expected an integer in [1, 1000000]; got a map");
  EXPECT_EQ(ErrorOf("surfaces: {s: {retrieval: popularity}}"),
            "config/x.yaml: key 'surfaces.s.retrieval': expected a sequence such as [a, b]; got "
            "a scalar");
  EXPECT_THAT(ErrorOf("surfaces: {s: {retrieval: [[a]]}}"),
              HasSubstr("key 'surfaces.s.retrieval[0]': expected a scalar item; got a sequence"));
  EXPECT_THAT(ErrorOf("models: [popularity]"),
              HasSubstr("key 'models': expected a map of named entries; got a sequence"));
  EXPECT_THAT(ErrorOf("models: {m: {params: [1]}}"), HasSubstr("key 'models.m.params'"));
  EXPECT_THAT(ErrorOf("grpc: [a]"),
              HasSubstr("key 'grpc': expected a map or a listen scalar; got a sequence"));
  EXPECT_THAT(ErrorOf("data_dir: [a]"), HasSubstr("key 'data_dir': expected a non-empty string"));
  EXPECT_EQ(ErrorOf("just a scalar"),
            "config/x.yaml: expected a map at the top level; got a scalar");
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("expected a map at the top level; got a sequence"));
  EXPECT_THAT(ErrorOf("? [a]\n: 1\n"), HasSubstr("expected a text key; got a sequence"));
}

TEST(ConfigErrorsTest, MalformedYamlReportsLineAndColumn) {
  EXPECT_THAT(ErrorOf("api:\n  max_batch: 1\n bad_indent: [\n"),
              HasSubstr("config/x.yaml: malformed YAML at line "));
  EXPECT_THAT(ErrorOf("api: {max_batch: 1\n"), HasSubstr("config/x.yaml: malformed YAML at line"));
  EXPECT_THAT(ErrorOf("a: [1, 2\n"), HasSubstr("malformed YAML"));
  EXPECT_THAT(ErrorOf("a: \"bad \\q escape\""), HasSubstr("malformed YAML"));
  // yaml-cpp's position of a bad mapping on the third line.
  EXPECT_THAT(ErrorOf("api:\n  max_batch: 1\n  x: y: z\n"),
              HasSubstr("malformed YAML at line 3, column"));
}

TEST(ConfigErrorsTest, MoreThanOneDocument) {
  EXPECT_EQ(ErrorOf("api: {}\n---\napi: {}\n"),
            "config/x.yaml: malformed YAML at line 2, column 1: expected a single document; a "
            "second document or stray content starts here");
}

TEST(ConfigErrorsTest, StrayTokensAreMalformed) {
  // yaml-cpp 0.7 alone loops forever on these (LoadAll) or returns null (Load).
  EXPECT_THAT(ErrorOf(","), HasSubstr("config/x.yaml: malformed YAML at line 1, column 1"));
  EXPECT_THAT(ErrorOf("api: {}\n,\n"), HasSubstr("malformed YAML at line 2, column 1"));
  EXPECT_THAT(ErrorOf(",\napi: {max_batch: 0}\n"), HasSubstr("malformed YAML"));
}

TEST(ConfigErrorsTest, PathologicalYamlIsRejected) {
  // Inputs that hang or crash some yaml-cpp versions (issues 499, 938, 1040; falco 3281), and
  // alias cycles.
  for (const char* yaml :
       {"[:", "{:", "{# ke\ny{:", "- !+(.,.)", "a: ,", "[", "bad YAML: [", "&a [*a]",
        "a: &a {b: *a}", "models: {m: {params: {p: &x [*x]}}}",
        "- macro: x\n  condition:\n    (a in (-1, 1001) and b in (\n\"/x\",\n    \"-c\"\n"
        "    )  )  \n    )"}) {
    EXPECT_THAT(Parse(yaml), StatusIs(absl::StatusCode::kInvalidArgument)) << yaml;
  }
}

TEST(ConfigErrorsTest, DuplicateKey) {
  EXPECT_EQ(ErrorOf("api: {max_batch: 1, max_batch: 2}"),
            "config/x.yaml: key 'api.max_batch': duplicate key");
  EXPECT_THAT(ErrorOf("models:\n  a: {}\n  a: {}\n"), HasSubstr("key 'models.a': duplicate key"));
}

TEST(ConfigErrorsTest, InvalidNames) {
  EXPECT_THAT(ErrorOf("models: {'a b': {}}"),
              HasSubstr("config/x.yaml: key 'models.a b': invalid name: expected a name"));
  EXPECT_THAT(ErrorOf("surfaces: {'home/page': {}}"), HasSubstr("key 'surfaces.home/page'"));
  EXPECT_THAT(ErrorOf("event_types: {View: {}}"),
              HasSubstr("key 'event_types.View': invalid name: expected an event type name"));
  EXPECT_THAT(ErrorOf("event_types: {" + std::string(65, 'a') + ": {}}"),
              HasSubstr("invalid name"));
  EXPECT_THAT(ErrorOf("surfaces: {s: {retrieval: ['no spaces']}}"),
              HasSubstr("key 'surfaces.s.retrieval[0]': expected a name"));
}

TEST(ConfigErrorsTest, EmptyRequiredText) {
  EXPECT_EQ(ErrorOf("data_dir: \"\""),
            "config/x.yaml: key 'data_dir': expected a non-empty string; got ''");
  EXPECT_THAT(ErrorOf("data_dir:"), HasSubstr("key 'data_dir'"));
  EXPECT_THAT(ErrorOf("api: {default_tenant: ''}"), HasSubstr("key 'api.default_tenant'"));
}

TEST(ConfigErrorsTest, EventTypesMustNotBeEmpty) {
  EXPECT_EQ(ErrorOf("event_types: {}"),
            "config: key 'event_types': expected at least one event type");
}

TEST(ConfigErrorsTest, CascadeNamesUnknownModel) {
  EXPECT_THAT(ErrorOf("surfaces: {home: {scoring: [nope]}}"),
              AllOf(HasSubstr("config: key 'surfaces.home.scoring': surface 'home' scoring "
                              "cascade names unknown model 'nope'"),
                    HasSubstr("configured models: item_knn, popularity, random, recent")));
  EXPECT_THAT(ErrorOf("surfaces: {home: {retrieval: [item_kn]}}"),
              HasSubstr("retrieval cascade names unknown model 'item_kn'; did you mean "
                        "'item_knn'?"));
  EXPECT_THAT(ErrorOf("models: {popularity: {}}\n"
                      "surfaces: {home: {retrieval: [popularity], similar: [item_knn]}}"),
              HasSubstr("surface 'home' similar cascade names unknown model 'item_knn'"));
  // The default surface needs the default models.
  EXPECT_THAT(ErrorOf("models: {popularity: {}}"),
              HasSubstr("surface 'default' retrieval cascade names unknown model 'item_knn'"));
}

TEST(ConfigErrorsTest, InvalidUtf8) {
  EXPECT_THAT(ErrorOf(std::string("api: {default_tenant: a\xff}")),
              HasSubstr("key 'api.default_tenant': value is not valid UTF-8"));
}

}  // namespace
}  // namespace recplat::config

namespace recplat::config {
namespace {

// Access control and TLS (docs/operations.md): the keys name files and variables; the pairs
// that go together are checked after all layers.
TEST(ConfigAuthTlsTest, TlsFilesComeInPairs) {
  EXPECT_EQ(ErrorOf("http: {tls: {key_file: k.pem}}"),
            "config: key 'http.tls.key_file': a TLS key needs its certificate: set "
            "http.tls.cert_file too");
  EXPECT_EQ(ErrorOf("grpc: {tls: {cert_file: c.pem}}"),
            "config: key 'grpc.tls.cert_file': a TLS certificate needs its private key: set "
            "grpc.tls.key_file too");
  EXPECT_THAT(ErrorOf("grpc: {tls: {client_ca_file: ca.pem}}"),
              AllOf(HasSubstr("key 'grpc.tls.client_ca_file'"),
                    HasSubstr("client certificates are checked over TLS only")));
  EXPECT_EQ(ErrorOf("core: {tls: {ca_file: ca.pem}}"),
            "config: key 'core.tls.ca_file': set while core.tls.enabled is false: set "
            "core.tls.enabled: true to speak TLS to the core");
  EXPECT_THAT(ErrorOf("core: {tls: {enabled: true, cert_file: c.pem}}"),
              HasSubstr("key 'core.tls.cert_file': a client certificate and its key go together"));
}

TEST(ConfigAuthTlsTest, KeyVariablesMustBeVariableNamesOutsideRecplat) {
  EXPECT_EQ(ErrorOf("auth: {api_key_env: RECPLAT_KEYS}"),
            "config/x.yaml: key 'auth.api_key_env': expected empty or an environment variable "
            "name ([A-Za-z_][A-Za-z0-9_]*) not starting with RECPLAT_; got 'RECPLAT_KEYS'");
  EXPECT_THAT(ErrorOf("auth: {admin_key_env: 1KEYS}"), HasSubstr("key 'auth.admin_key_env'"));
  EXPECT_THAT(ErrorOf("core: {api_key_env: \"A-B\"}"), HasSubstr("key 'core.api_key_env'"));
}

TEST(ConfigAuthTlsTest, AValidSecureProfile) {
  ASSERT_OK_AND_ASSIGN(
      Config config,
      Parse("grpc: \"127.0.0.1:0\"\n"
            "auth: {api_key_file: /run/keys/user, admin_key_env: ADMIN_KEYS}\n"
            "http: {tls: {cert_file: c.pem, key_file: k.pem, client_ca_file: ca.pem}}\n"
            "core: {api_key_env: CORE_KEY, tls: {enabled: true, server_name: core.svc}}\n"));
  EXPECT_EQ(config.grpc.listen, "127.0.0.1:0");
  EXPECT_TRUE(config.grpc.tls.cert_file.empty());
  EXPECT_EQ(config.auth.api_key_file, "/run/keys/user");
  EXPECT_EQ(config.auth.admin_key_env, "ADMIN_KEYS");
  EXPECT_EQ(config.http.tls.client_ca_file, "ca.pem");
  EXPECT_EQ(config.core.api_key_env, "CORE_KEY");
  EXPECT_TRUE(config.core.tls.enabled);
  EXPECT_EQ(config.core.tls.server_name, "core.svc");
  // The printed configuration names files and variables, and reads back equal.
  const std::string yaml = ConfigToYaml(config);
  EXPECT_THAT(yaml, HasSubstr("api_key_file: /run/keys/user"));
  ASSERT_OK_AND_ASSIGN(Config again, Parse(yaml));
  EXPECT_EQ(again, config);
}

}  // namespace
}  // namespace recplat::config

namespace recplat::config {
namespace {

TEST(ConfigNatsTest, JetStreamNeedsServersAndValidatesEachKey) {
  EXPECT_EQ(ErrorOf("log: {backend: jetstream}"),
            "config: key 'nats.servers': required when log.backend is 'jetstream' (the "
            "NATS servers' URLs, e.g. [nats://10.0.0.1:4222, nats://10.0.0.2:4222])");
  EXPECT_THAT(ErrorOf("log: {backend: kafka}"), HasSubstr("key 'log.backend'"));
  EXPECT_THAT(ErrorOf("nats: {servers: [\"http://a:1\"]}"),
              HasSubstr("key 'nats.servers[0]': expected a NATS server URL"));
  EXPECT_THAT(ErrorOf("nats: {servers: [\"nats://a\"]}"), HasSubstr("key 'nats.servers[0]'"));
  EXPECT_THAT(ErrorOf("nats: {stream: \"a.b\"}"), HasSubstr("key 'nats.stream'"));
  EXPECT_THAT(ErrorOf("nats: {subject: \"a.*\"}"), HasSubstr("key 'nats.subject'"));
  EXPECT_THAT(ErrorOf("nats: {replicas: 0}"), HasSubstr("key 'nats.replicas'"));
  EXPECT_THAT(ErrorOf("nats: {ack_timeout_ms: 0}"), HasSubstr("key 'nats.ack_timeout_ms'"));
  EXPECT_THAT(ErrorOf("nats: {tls: {cert_file: c.pem}}"),
              HasSubstr("key 'nats.tls.cert_file': a client certificate and its key go together"));
  EXPECT_THAT(ErrorOf("nats: {stram: x}"), HasSubstr("did you mean 'stream'?"));
  EXPECT_THAT(ErrorOf("nats: {lease_bucket: \"a.b\"}"), HasSubstr("key 'nats.lease_bucket'"));
  EXPECT_THAT(ErrorOf("nats: {stream: s, subject: s.promotions}"),
              HasSubstr("key 'nats.subject': '<stream>.promotions' is where replicas announce"));
  EXPECT_THAT(ErrorOf("training: {lease_seconds: 0.1}"), HasSubstr("key 'training.lease_seconds'"));
}

TEST(ConfigNatsTest, DefaultsAndSetOverrides) {
  ASSERT_OK_AND_ASSIGN(Config defaults, Parse(""));
  EXPECT_EQ(defaults.log.backend, "rocksdb");
  EXPECT_EQ(defaults.nats.stream, "recplat");
  EXPECT_EQ(defaults.nats.replicas, 3);
  EXPECT_EQ(defaults.nats.max_ready_lag, 1000);
  EXPECT_EQ(defaults.nats.lease_bucket, "");
  EXPECT_EQ(defaults.training.lease_seconds, 30.0);
  ASSERT_OK_AND_ASSIGN(
      Config c, ParseConfig("", "p.yaml",
                            {"log.backend=jetstream",
                             "nats.servers=[nats://127.0.0.1:4222, tls://h.example:4443]",
                             "nats.stream=events", "nats.replicas=1", "nats.ack_timeout_ms=250",
                             "nats.lease_bucket=leases", "training.lease_seconds=9"},
                            {}));
  EXPECT_EQ(c.log.backend, "jetstream");
  EXPECT_EQ(c.nats.servers,
            (std::vector<std::string>{"nats://127.0.0.1:4222", "tls://h.example:4443"}));
  EXPECT_EQ(c.nats.stream, "events");
  EXPECT_EQ(c.nats.replicas, 1);
  EXPECT_EQ(c.nats.ack_timeout_ms, 250);
  EXPECT_EQ(c.nats.lease_bucket, "leases");
  EXPECT_EQ(c.training.lease_seconds, 9.0);
}

}  // namespace
}  // namespace recplat::config
