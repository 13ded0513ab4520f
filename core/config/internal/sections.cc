#include "core/config/internal/sections.h"

#include <string>
#include <vector>

#include "core/config/internal/fields.h"

namespace recplat::config::internal {
namespace {

// Turns the section's field declarations into Visitor calls.
class SectionAdapter final : public common::SectionBinder {
 public:
  using SectionBinder::Double;
  using SectionBinder::String;

  explicit SectionAdapter(Visitor& visitor) : v_(visitor) {}

  void String(const char* key, std::string& value,
              const common::StringFieldOptions& options) override {
    v_.Scalar(key, StringRef(value, Rule(options), options.secret));
  }
  void Int(const char* key, int32_t& value, int64_t min, int64_t max) override {
    v_.Scalar(key, IntRef(value, min, max));
  }
  void Int(const char* key, int64_t& value, int64_t min, int64_t max) override {
    v_.Scalar(key, IntRef(value, min, max));
  }
  void Double(const char* key, double& value, double min, double max,
              bool min_exclusive) override {
    v_.Scalar(key, DoubleRef(value, min, max, min_exclusive));
  }
  void Bool(const char* key, bool& value) override { v_.Scalar(key, BoolRef(value)); }
  void StringList(const char* key, std::vector<std::string>& items,
                  const std::vector<std::string>& allowed) override {
    v_.List(key, items, allowed.empty() ? AnyText() : OneOf(allowed));
  }

 private:
  static TextRule Rule(const common::StringFieldOptions& options) {
    if (!options.one_of.empty()) {
      return OneOf(options.one_of);
    }
    return options.non_empty ? NonEmptyText() : AnyText();
  }

  Visitor& v_;
};

}  // namespace

StructRef BindSection(common::ConfigSection& section) {
  return StructRef{[&section](Visitor& v) {
    SectionAdapter adapter(v);
    section.Bind(adapter);
  }};
}

}  // namespace recplat::config::internal
