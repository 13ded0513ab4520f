// File: fields.h
//
// Scalar field views and text rules used by the config binding (private to core/config), and
// the strict scalar parsers they rely on. See visitor.h for the view contract.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/config/config.h"
#include "core/config/internal/visitor.h"

namespace recplat::config::internal {

// Text rules.
TextRule AnyText();
TextRule NonEmptyText();
TextRule OneOf(std::vector<std::string> choices);
// host:port; host is a name, an IPv4 address or a bracketed IPv6 address; port in 0..65535.
TextRule ListenAddress();
// Model and surface names: [A-Za-z0-9_.-]{1,128}.
TextRule ModelName();
// A NATS server URL: nats:// or tls:// host:port.
TextRule NatsUrl();
// A JetStream stream name: 1 to 64 of [A-Za-z0-9_-].
TextRule NatsStreamName();
// A NATS subject to publish to, or empty: dot-separated tokens of [A-Za-z0-9_-], no wildcards.
TextRule NatsSubject();
// Empty, or a JetStream key-value bucket name.
TextRule NatsBucketName();
// Event type names: [a-z0-9_]{1,64}.
TextRule EventTypeName();
// Frontend names: [a-z][a-z0-9_]{0,63}.
TextRule FrontendName();
// Empty, or an address as ListenAddress() (a core to connect to).
TextRule OptionalAddress();
// Empty, or the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*) that does not start
// with RECPLAT_ (those are configuration keys).
TextRule OptionalEnvName();

// Strict parsers over the whole text (no surrounding spaces). They return false on failure and
// leave `out` unchanged.
// true/false/yes/no/on/off, case-insensitive.
bool ParseBool(absl::string_view text, bool& out);
// Decimal, optional leading '-' or '+'.
bool ParseInt64(absl::string_view text, int64_t& out);
// Decimal or scientific notation; rejects infinities and NaN.
bool ParseFiniteDouble(absl::string_view text, double& out);
// The shortest text that ParseFiniteDouble() reads back as exactly `value` (when finite).
std::string FormatDouble(double value);

// A string field; a `secret` one is never printed (ScalarRef::Secret).
class StringRef final : public ScalarRef {
 public:
  StringRef(std::string& value, TextRule rule, bool secret = false)
      : value_(value), rule_(std::move(rule)), secret_(secret) {}
  std::string Expected() const override { return rule_.expected; }
  bool Set(absl::string_view text) const override;
  std::string Get() const override { return value_; }
  bool Valid() const override { return rule_.Accepts(value_); }
  bool AcceptsNull() const override { return true; }
  bool Secret() const override { return secret_; }

 private:
  std::string& value_;
  TextRule rule_;
  bool secret_;
};

class BoolRef final : public ScalarRef {
 public:
  explicit BoolRef(bool& value) : value_(value) {}
  std::string Expected() const override;
  bool Set(absl::string_view text) const override { return ParseBool(text, value_); }
  std::string Get() const override { return value_ ? "true" : "false"; }
  bool Valid() const override { return true; }

 private:
  bool& value_;
};

// An int32_t or int64_t field limited to [min, max].
class IntRef final : public ScalarRef {
 public:
  IntRef(int32_t& value, int64_t min, int64_t max) : i32_(&value), min_(min), max_(max) {}
  IntRef(int64_t& value, int64_t min, int64_t max) : i64_(&value), min_(min), max_(max) {}
  std::string Expected() const override;
  bool Set(absl::string_view text) const override;
  std::string Get() const override;
  bool Valid() const override;

 private:
  int64_t Value() const { return i32_ != nullptr ? *i32_ : *i64_; }

  int32_t* i32_ = nullptr;
  int64_t* i64_ = nullptr;
  int64_t min_;
  int64_t max_;
};

// A finite double in [min, max] (or (min, max] when `min_exclusive`); max may be infinity.
class DoubleRef final : public ScalarRef {
 public:
  DoubleRef(double& value, double min, double max, bool min_exclusive = false)
      : value_(value), min_(min), max_(max), min_exclusive_(min_exclusive) {}
  std::string Expected() const override;
  bool Set(absl::string_view text) const override;
  std::string Get() const override { return FormatDouble(value_); }
  bool Valid() const override;

 private:
  bool InRange(double v) const;

  double& value_;
  double min_;
  double max_;
  bool min_exclusive_;
};

class RoleRef final : public ScalarRef {
 public:
  explicit RoleRef(Role& value) : value_(value) {}
  std::string Expected() const override;
  bool Set(absl::string_view text) const override;
  std::string Get() const override;
  bool Valid() const override;

 private:
  Role& value_;
};

class SyncPolicyRef final : public ScalarRef {
 public:
  explicit SyncPolicyRef(SyncPolicy& value) : value_(value) {}
  std::string Expected() const override;
  bool Set(absl::string_view text) const override;
  std::string Get() const override;
  bool Valid() const override;

 private:
  SyncPolicy& value_;
};

}  // namespace recplat::config::internal
