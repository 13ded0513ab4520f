#include "core/config/internal/fields.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/config/config_loader.h"

namespace recplat::config::internal {
namespace {

bool AllOf(absl::string_view text, bool (*ok)(char)) {
  for (char c : text) {
    if (!ok(c)) {
      return false;
    }
  }
  return true;
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool IsEventTypeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool IsIpv6Char(char c) {
  return absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

bool IsValidListenAddress(absl::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return false;
  }
  const absl::string_view host = text.substr(0, colon);
  const absl::string_view port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !AllOf(port, [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int64_t port_number = 0;
  if (!ParseInt64(port, port_number) || port_number > 65535) {
    return false;
  }
  if (absl::StartsWith(host, "[")) {
    // A bracketed IPv6 literal, e.g. [::1]; the colons inside are why brackets are required.
    return host.size() > 2 && host.back() == ']' &&
           AllOf(host.substr(1, host.size() - 2), IsIpv6Char);
  }
  return !host.empty() && AllOf(host, IsHostChar);
}

}  // namespace

TextRule AnyText() { return TextRule{"a string", nullptr}; }

TextRule NonEmptyText() {
  return TextRule{"a non-empty string", [](absl::string_view text) { return !text.empty(); }};
}

TextRule OneOf(std::vector<std::string> choices) {
  std::string expected = absl::StrCat("one of ", absl::StrJoin(choices, ", "));
  return TextRule{std::move(expected), [choices = std::move(choices)](absl::string_view text) {
                    for (const std::string& choice : choices) {
                      if (text == choice) {
                        return true;
                      }
                    }
                    return false;
                  }};
}

TextRule ListenAddress() {
  return TextRule{"an address host:port (port 0..65535; IPv6 hosts in brackets, e.g. [::1]:0)",
                  IsValidListenAddress};
}

TextRule ModelName() {
  return TextRule{"a name of 1 to 128 characters from [A-Za-z0-9_.-]", [](absl::string_view text) {
                    return !text.empty() && text.size() <= 128 && AllOf(text, IsNameChar);
                  }};
}

TextRule NatsUrl() {
  return TextRule{"a NATS server URL, nats://host:port or tls://host:port",
                  [](absl::string_view text) {
                    for (absl::string_view scheme : {"nats://", "tls://"}) {
                      if (absl::StartsWith(text, scheme)) {
                        absl::string_view rest = text.substr(scheme.size());
                        const size_t colon = rest.rfind(':');
                        return colon != absl::string_view::npos && colon > 0 &&
                               colon + 1 < rest.size() &&
                               rest.find_first_of("/ ") == absl::string_view::npos;
                      }
                    }
                    return false;
                  }};
}

TextRule NatsStreamName() {
  return TextRule{"a stream name of 1 to 64 characters from [A-Za-z0-9_-]",
                  [](absl::string_view text) {
                    return !text.empty() && text.size() <= 64 &&
                           AllOf(text, [](char c) { return IsNameChar(c) && c != '.'; });
                  }};
}

TextRule NatsBucketName() {
  return TextRule{"empty or a key-value bucket name of 1 to 64 characters from [A-Za-z0-9_-]",
                  [](absl::string_view text) {
                    return text.size() <= 64 &&
                           AllOf(text, [](char c) { return IsNameChar(c) && c != '.'; });
                  }};
}

TextRule NatsSubject() {
  return TextRule{"empty or a subject of dot-separated tokens from [A-Za-z0-9_-]",
                  [](absl::string_view text) {
                    if (text.empty()) return true;
                    for (absl::string_view token : absl::StrSplit(text, '.')) {
                      if (token.empty() ||
                          !AllOf(token, [](char c) { return IsNameChar(c) && c != '.'; })) {
                        return false;
                      }
                    }
                    return true;
                  }};
}

TextRule EventTypeName() {
  return TextRule{"an event type name of 1 to 64 characters from [a-z0-9_]",
                  [](absl::string_view text) {
                    return !text.empty() && text.size() <= 64 && AllOf(text, IsEventTypeChar);
                  }};
}

TextRule FrontendName() {
  return TextRule{"a frontend name of 1 to 64 characters from [a-z0-9_], starting with a letter",
                  [](absl::string_view text) {
                    return !text.empty() && text.size() <= 64 && text[0] >= 'a' &&
                           text[0] <= 'z' && AllOf(text, IsEventTypeChar);
                  }};
}

TextRule OptionalAddress() {
  return TextRule{"empty or an address host:port (IPv6 hosts in brackets, e.g. [::1]:50051)",
                  [](absl::string_view text) { return text.empty() || IsValidListenAddress(text); }};
}

TextRule OptionalEnvName() {
  return TextRule{"empty or an environment variable name ([A-Za-z_][A-Za-z0-9_]*) not starting "
                  "with RECPLAT_",
                  [](absl::string_view text) {
                    if (text.empty()) return true;
                    if (absl::ascii_isdigit(static_cast<unsigned char>(text.front())) ||
                        absl::StartsWith(text, "RECPLAT_")) {
                      return false;
                    }
                    return AllOf(text, [](char c) {
                      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
                    });
                  }};
}

bool ParseBool(absl::string_view text, bool& out) {
  for (const char* yes : {"true", "yes", "on"}) {
    if (absl::EqualsIgnoreCase(text, yes)) {
      out = true;
      return true;
    }
  }
  for (const char* no : {"false", "no", "off"}) {
    if (absl::EqualsIgnoreCase(text, no)) {
      out = false;
      return true;
    }
  }
  return false;
}

bool ParseInt64(absl::string_view text, int64_t& out) {
  if (absl::StartsWith(text, "+")) {
    text.remove_prefix(1);
    if (absl::StartsWith(text, "-")) {
      return false;
    }
  }
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return false;
  }
  out = value;
  return true;
}

bool ParseFiniteDouble(absl::string_view text, double& out) {
  if (absl::StartsWith(text, "+")) {
    text.remove_prefix(1);
    if (absl::StartsWith(text, "-")) {
      return false;
    }
  }
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return false;
  }
  out = value;
  return true;
}

std::string FormatDouble(double value) {
  char buffer[64];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  // 64 bytes hold any shortest double representation (at most 24 characters).
  return ec == std::errc() ? std::string(buffer, ptr) : std::string("nan");
}

bool StringRef::Set(absl::string_view text) const {
  if (!rule_.Accepts(text)) {
    return false;
  }
  value_ = std::string(text);
  return true;
}

std::string BoolRef::Expected() const { return "a boolean (true/false, yes/no, on/off)"; }

std::string IntRef::Expected() const {
  const int64_t type_max =
      i32_ != nullptr ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int64_t>::max();
  if (max_ >= type_max) {
    return absl::StrCat("an integer >= ", min_);
  }
  return absl::StrCat("an integer in [", min_, ", ", max_, "]");
}

bool IntRef::Set(absl::string_view text) const {
  int64_t value = 0;
  if (!ParseInt64(text, value) || value < min_ || value > max_) {
    return false;
  }
  if (i32_ != nullptr) {
    if (value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max()) {
      return false;
    }
    *i32_ = static_cast<int32_t>(value);
  } else {
    *i64_ = value;
  }
  return true;
}

std::string IntRef::Get() const { return absl::StrCat(Value()); }

bool IntRef::Valid() const { return Value() >= min_ && Value() <= max_; }

std::string DoubleRef::Expected() const {
  const char* low = min_exclusive_ ? " > " : " >= ";
  if (std::isinf(max_)) {
    return absl::StrCat("a finite number", low, FormatDouble(min_));
  }
  return absl::StrCat("a finite number in ", min_exclusive_ ? "(" : "[", FormatDouble(min_), ", ",
                      FormatDouble(max_), "]");
}

bool DoubleRef::InRange(double v) const {
  return std::isfinite(v) && (min_exclusive_ ? v > min_ : v >= min_) && v <= max_;
}

bool DoubleRef::Set(absl::string_view text) const {
  double value = 0;
  if (!ParseFiniteDouble(text, value) || !InRange(value)) {
    return false;
  }
  value_ = value;
  return true;
}

bool DoubleRef::Valid() const { return InRange(value_); }

std::string RoleRef::Expected() const { return "one of all, core, frontend"; }

bool RoleRef::Set(absl::string_view text) const {
  absl::StatusOr<Role> role = ParseRole(text);
  if (!role.ok()) {
    return false;
  }
  value_ = *role;
  return true;
}

std::string RoleRef::Get() const { return std::string(RoleName(value_)); }

bool RoleRef::Valid() const {
  return value_ == Role::kAll || value_ == Role::kCore || value_ == Role::kFrontend;
}

std::string SyncPolicyRef::Expected() const { return "one of always, none"; }

bool SyncPolicyRef::Set(absl::string_view text) const {
  absl::StatusOr<SyncPolicy> policy = ParseSyncPolicy(text);
  if (!policy.ok()) {
    return false;
  }
  value_ = *policy;
  return true;
}

std::string SyncPolicyRef::Get() const { return std::string(SyncPolicyName(value_)); }

bool SyncPolicyRef::Valid() const {
  return value_ == SyncPolicy::kAlways || value_ == SyncPolicy::kNone;
}

}  // namespace recplat::config::internal
