// File: aws_credentials.h
//
// The standard AWS credential and region chain, as the AWS CLI and SDKs read it, for the S3
// clients of the model store and the article_rec batch job:
//   credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the
//     shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials), profile
//     AWS_PROFILE (default "default");
//   region: AWS_REGION, else AWS_DEFAULT_REGION, else `region` of that profile in the config
//     file (AWS_CONFIG_FILE, default ~/.aws/config; section "[profile NAME]" or "[default]").
// Instance metadata and SSO are not read. The environment is injected so tests need not touch
// the process's own.
//
// Thread-safety: the functions are reentrant when `env` is.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace recplat::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty without temporary credentials

  bool empty() const { return access_key_id.empty(); }
};

// Reads one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnvironment();

// The credentials of the chain above. An empty Credentials when none is configured anywhere
// (the caller decides whether anonymous requests are acceptable); InvalidArgument naming the
// variable or file when a half is missing (a key id without a secret) or a file named by a
// variable cannot be read.
absl::StatusOr<Credentials> ResolveCredentials(const EnvLookup& env);

// The region of the chain above, or `fallback` when none is configured.
std::string ResolveRegion(const EnvLookup& env, const std::string& fallback = "us-east-1");

}  // namespace recplat::s3
