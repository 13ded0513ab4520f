#include "core/common/s3/aws_credentials.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace recplat::s3 {
namespace {

using Section = std::map<std::string, std::string>;

std::optional<std::string> NonEmpty(const EnvLookup& env, const std::string& name) {
  std::optional<std::string> value = env(name);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

// The file named by `variable`, else ~/`default_name`. `named` tells whether a variable named
// it (then a missing file is an error).
std::optional<std::string> FilePath(const EnvLookup& env, const std::string& variable,
                                    const std::string& default_name, bool* named) {
  *named = false;
  if (std::optional<std::string> path = NonEmpty(env, variable)) {
    *named = true;
    return path;
  }
  if (std::optional<std::string> home = NonEmpty(env, "HOME")) {
    return absl::StrCat(*home, "/", default_name);
  }
  return std::nullopt;
}

// The keys of section `wanted` of an INI file ("[name]", "key = value", '#'/';' comments).
// nullopt when the file cannot be opened.
std::optional<Section> ReadSection(const std::string& path, const std::string& wanted) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Section section;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      text.remove_prefix(1);
      text.remove_suffix(1);
      inside = absl::StripAsciiWhitespace(text) == wanted;
      continue;
    }
    if (!inside) continue;
    size_t eq = text.find('=');
    if (eq == absl::string_view::npos) continue;
    section[absl::AsciiStrToLower(absl::StripAsciiWhitespace(text.substr(0, eq)))] =
        std::string(absl::StripAsciiWhitespace(text.substr(eq + 1)));
  }
  return section;
}

std::string Profile(const EnvLookup& env) {
  return NonEmpty(env, "AWS_PROFILE").value_or("default");
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<Credentials> ResolveCredentials(const EnvLookup& env) {
  std::optional<std::string> id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
  if (id.has_value() != secret.has_value()) {
    return absl::InvalidArgumentError(
        id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
           : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  if (id.has_value()) {
    return Credentials{*id, *secret, NonEmpty(env, "AWS_SESSION_TOKEN").value_or("")};
  }
  bool named = false;
  std::optional<std::string> path =
      FilePath(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", &named);
  if (!path.has_value()) return Credentials{};
  const std::string profile = Profile(env);
  std::optional<Section> section = ReadSection(*path, profile);
  if (!section.has_value()) {
    if (named) {
      return absl::InvalidArgumentError(
          absl::StrCat("AWS_SHARED_CREDENTIALS_FILE: cannot read '", *path, "'"));
    }
    return Credentials{};
  }
  auto id_it = section->find("aws_access_key_id");
  auto secret_it = section->find("aws_secret_access_key");
  const bool has_id = id_it != section->end() && !id_it->second.empty();
  const bool has_secret = secret_it != section->end() && !secret_it->second.empty();
  if (!has_id && !has_secret) return Credentials{};
  if (has_id != has_secret) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", *path, "' profile '", profile, "': ",
                     has_id ? "aws_secret_access_key" : "aws_access_key_id", " is missing"));
  }
  auto token_it = section->find("aws_session_token");
  return Credentials{id_it->second, secret_it->second,
                     token_it == section->end() ? "" : token_it->second};
}

std::string ResolveRegion(const EnvLookup& env, const std::string& fallback) {
  if (std::optional<std::string> region = NonEmpty(env, "AWS_REGION")) return *region;
  if (std::optional<std::string> region = NonEmpty(env, "AWS_DEFAULT_REGION")) return *region;
  bool named = false;
  std::optional<std::string> path = FilePath(env, "AWS_CONFIG_FILE", ".aws/config", &named);
  if (path.has_value()) {
    const std::string profile = Profile(env);
    std::optional<Section> section =
        ReadSection(*path, profile == "default" ? "default" : absl::StrCat("profile ", profile));
    if (section.has_value()) {
      auto it = section->find("region");
      if (it != section->end() && !it->second.empty()) return it->second;
    }
  }
  return fallback;
}

}  // namespace recplat::s3
