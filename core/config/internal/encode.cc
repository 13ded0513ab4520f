#include "core/config/internal/encode.h"

#include <exception>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/config/internal/text.h"
#include "yaml-cpp/yaml.h"

namespace recplat::config::internal {
namespace {

// Writes each field as one key of the map the emitter is currently in.
class Encoder final : public Visitor {
 public:
  explicit Encoder(YAML::Emitter& out) : out_(out) {}

  void Scalar(const char* key, const ScalarRef& field) override {
    const std::string value = field.Get();
    out_ << YAML::Key << key << YAML::Value
         << (field.Secret() && !value.empty() ? std::string(kRedacted) : value);
  }
  void List(const char* key, std::vector<std::string>& items, const TextRule&) override {
    out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& item : items) {
      out_ << item;
    }
    out_ << YAML::EndSeq;
  }
  void TextMap(const char* key, std::map<std::string, std::string>& entries) override {
    out_ << YAML::Key << key << YAML::Value;
    if (entries.empty()) {
      out_ << YAML::Flow;
    }
    out_ << YAML::BeginMap;
    for (const auto& [name, value] : entries) {
      out_ << YAML::Key << name << YAML::Value << value;
    }
    out_ << YAML::EndMap;
  }
  void Struct(const char* key, const StructRef& fields) override {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    fields.bind(*this);
    out_ << YAML::EndMap;
  }
  void StructMap(const char* key, const StructMapRef& entries, const TextRule&) override {
    const std::vector<std::string> names = entries.Names();
    out_ << YAML::Key << key << YAML::Value;
    if (names.empty()) {
      out_ << YAML::Flow;
    }
    out_ << YAML::BeginMap;
    for (const std::string& name : names) {
      out_ << YAML::Key << name << YAML::Value << YAML::BeginMap;
      entries.Entry(name).bind(*this);
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
};

}  // namespace

std::string EncodeYaml(const StructRef& fields) {
  try {
    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::BeginMap;
    Encoder encoder(out);
    fields.bind(encoder);
    out << YAML::EndMap;
    if (!out.good()) {
      return absl::StrCat("# recplat: cannot encode the configuration: ", out.GetLastError(), "\n");
    }
    return absl::StrCat(out.c_str(), "\n");
  } catch (const std::exception& e) {
    return absl::StrCat("# recplat: cannot encode the configuration: ", e.what(), "\n");
  }
}

}  // namespace recplat::config::internal
