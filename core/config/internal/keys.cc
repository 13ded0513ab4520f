#include "core/config/internal/keys.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/config/internal/text.h"

namespace recplat::config::internal {
namespace {

class KeyLister final : public Visitor {
 public:
  KeyLister(std::string prefix, KeyListing listing, std::vector<KeyInfo>& out)
      : prefix_(std::move(prefix)), listing_(listing), out_(out) {}

  void Scalar(const char* key, const ScalarRef& field) override {
    std::string value = field.Get();
    if (field.Secret() && !value.empty()) {
      value = std::string(kRedacted);
    }
    out_.push_back({JoinPath(prefix_, key), field.Expected(), std::move(value)});
  }
  void List(const char* key, std::vector<std::string>& items, const TextRule& rule) override {
    out_.push_back({JoinPath(prefix_, key), absl::StrCat("a sequence, each ", rule.expected),
                    absl::StrCat("[", absl::StrJoin(items, ", "), "]")});
  }
  void TextMap(const char* key, std::map<std::string, std::string>& entries) override {
    const std::string path = JoinPath(prefix_, key);
    std::vector<std::string> shown;
    for (const auto& [name, value] : entries) {
      shown.push_back(absl::StrCat(name, ": ", value));
    }
    out_.push_back(
        {path, "a map of text values", absl::StrCat("{", absl::StrJoin(shown, ", "), "}")});
    if (listing_ == KeyListing::kTemplates) {
      out_.push_back(
          {JoinPath(path, "<param>"), "a text value (sequences and maps kept as flow YAML)", ""});
      return;
    }
    for (const auto& [name, value] : entries) {
      out_.push_back({JoinPath(path, name), "a text value", value});
    }
  }
  void Struct(const char* key, const StructRef& fields) override {
    KeyLister child(JoinPath(prefix_, key), listing_, out_);
    fields.bind(child);
  }
  void StructMap(const char* key, const StructMapRef& entries, const TextRule&) override {
    const std::string path = JoinPath(prefix_, key);
    if (listing_ == KeyListing::kTemplates) {
      entries.WithPrototype([&](const StructRef& prototype) {
        KeyLister child(JoinPath(path, "<name>"), listing_, out_);
        prototype.bind(child);
      });
      return;
    }
    for (const std::string& name : entries.Names()) {
      KeyLister child(JoinPath(path, name), listing_, out_);
      entries.Entry(name).bind(child);
    }
  }

 private:
  std::string prefix_;
  KeyListing listing_;
  std::vector<KeyInfo>& out_;
};

}  // namespace

std::vector<KeyInfo> ListKeys(const StructRef& fields, KeyListing listing) {
  std::vector<KeyInfo> keys;
  KeyLister lister("", listing, keys);
  fields.bind(lister);
  return keys;
}

}  // namespace recplat::config::internal
