#include "core/common/config_section.h"

#include <string>
#include <typeinfo>
#include <variant>
#include <vector>

namespace recplat::common {
namespace {

using FieldValue = std::variant<std::string, int64_t, double, bool, std::vector<std::string>>;

// Records the keys and values a section binds, in order.
class ValueRecorder final : public SectionBinder {
 public:
  using SectionBinder::Double;
  using SectionBinder::String;

  void String(const char* key, std::string& value, const StringFieldOptions&) override {
    Add(key, value);
  }
  void Int(const char* key, int32_t& value, int64_t, int64_t) override {
    Add(key, int64_t{value});
  }
  void Int(const char* key, int64_t& value, int64_t, int64_t) override { Add(key, value); }
  void Double(const char* key, double& value, double, double, bool) override { Add(key, value); }
  void Bool(const char* key, bool& value) override { Add(key, value); }
  void StringList(const char* key, std::vector<std::string>& items,
                  const std::vector<std::string>&) override {
    Add(key, items);
  }

  std::vector<std::pair<std::string, FieldValue>> fields;

 private:
  void Add(const char* key, FieldValue value) { fields.emplace_back(key, std::move(value)); }
};

std::vector<std::pair<std::string, FieldValue>> Record(const ConfigSection& section) {
  // Bind() hands out mutable references; the recorder only reads them, on a copy.
  std::unique_ptr<ConfigSection> copy = section.Clone();
  ValueRecorder recorder;
  copy->Bind(recorder);
  return std::move(recorder.fields);
}

}  // namespace

bool SameSectionValues(const ConfigSection& a, const ConfigSection& b) {
  if (&a == &b) return true;
  if (typeid(a) != typeid(b)) return false;
  return Record(a) == Record(b);
}

bool operator==(const SectionValue& a, const SectionValue& b) {
  if (a.section_ == nullptr || b.section_ == nullptr) {
    return a.section_ == nullptr && b.section_ == nullptr;
  }
  return SameSectionValues(*a.section_, *b.section_);
}

}  // namespace recplat::common
