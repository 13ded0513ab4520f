#include "core/config/internal/set_path.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/config/internal/decode.h"
#include "core/config/internal/text.h"

namespace recplat::config::internal {
namespace {

// Visits the fields of one struct looking for segments_[pos_]; descends or decodes there.
class PathSetter final : public Visitor {
 public:
  PathSetter(const std::vector<std::string>& segments, size_t pos, const YAML::Node& value,
             absl::string_view source)
      : segments_(segments), pos_(pos), value_(value), source_(source) {}

  void Scalar(const char* key, const ScalarRef& field) override {
    if (Claim(key)) {
      status_ = AtLeaf() ? DecodeScalar(value_, field, Path(pos_ + 1), source_) : BelowLeaf();
    }
  }
  void List(const char* key, std::vector<std::string>& items, const TextRule& rule) override {
    if (Claim(key)) {
      status_ = AtLeaf() ? DecodeList(value_, items, rule, Path(pos_ + 1), source_) : BelowLeaf();
    }
  }
  void TextMap(const char* key, std::map<std::string, std::string>& entries) override {
    if (!Claim(key)) {
      return;
    }
    if (AtLeaf()) {
      status_ = DecodeTextMap(value_, entries, Path(pos_ + 1), source_);
      return;
    }
    std::string text;
    status_ = DecodeTextValue(value_, Path(segments_.size()), source_, text);
    if (status_.ok()) {
      entries[Join(pos_ + 1, segments_.size())] = std::move(text);
    }
  }
  void Struct(const char* key, const StructRef& fields) override {
    if (Claim(key)) {
      status_ = AtLeaf() ? DecodeStruct(value_, fields, Path(pos_ + 1), source_)
                         : Descend(fields, pos_ + 1);
    }
  }
  void StructMap(const char* key, const StructMapRef& entries, const TextRule& rule) override {
    if (!Claim(key)) {
      return;
    }
    if (AtLeaf()) {
      status_ = DecodeStructMap(value_, entries, rule, Path(pos_ + 1), source_);
      return;
    }
    // The entry name spans segments [pos_ + 1, name_end): the longest existing name, else one.
    const std::vector<std::string> names = entries.Names();
    size_t name_end = pos_ + 2;
    for (size_t end = segments_.size(); end > pos_ + 2; --end) {
      if (std::find(names.begin(), names.end(), Join(pos_ + 1, end)) != names.end()) {
        name_end = end;
        break;
      }
    }
    const std::string name = Join(pos_ + 1, name_end);
    if (!rule.Accepts(name)) {
      status_ =
          KeyError(source_, Path(name_end), absl::StrCat("invalid name: expected ", rule.expected));
      return;
    }
    const StructRef entry = entries.Entry(name);
    status_ = name_end == segments_.size() ? DecodeStruct(value_, entry, Path(name_end), source_)
                                           : Descend(entry, name_end);
  }

  // The outcome once all fields were visited.
  absl::Status Finish() const {
    if (!claimed_) {
      return KeyError(source_, Path(pos_ + 1),
                      absl::StrCat("unknown key", Suggest(segments_[pos_], keys_)));
    }
    return status_;
  }

 private:
  // Records `key` and whether it is the segment looked for.
  bool Claim(const char* key) {
    keys_.emplace_back(key);
    if (claimed_ || segments_[pos_] != key) {
      return false;
    }
    claimed_ = true;
    return true;
  }
  bool AtLeaf() const { return pos_ + 1 == segments_.size(); }
  absl::Status BelowLeaf() const {
    return KeyError(source_, Path(segments_.size()),
                    absl::StrCat("unknown key: '", Path(pos_ + 1), "' has no sub-keys"));
  }
  absl::Status Descend(const StructRef& fields, size_t pos) const {
    PathSetter child(segments_, pos, value_, source_);
    fields.bind(child);
    return child.Finish();
  }
  std::string Join(size_t begin, size_t end) const {
    return absl::StrJoin(segments_.begin() + begin, segments_.begin() + end, ".");
  }
  std::string Path(size_t end) const { return Join(0, end); }

  const std::vector<std::string>& segments_;
  const size_t pos_;
  const YAML::Node& value_;
  const absl::string_view source_;
  std::vector<std::string> keys_;
  bool claimed_ = false;
  absl::Status status_;
};

}  // namespace

absl::Status SetPath(const StructRef& root, absl::string_view key, const YAML::Node& value,
                     absl::string_view source) {
  const std::vector<std::string> segments = absl::StrSplit(key, '.');
  if (key.empty() || std::any_of(segments.begin(), segments.end(),
                                 [](const std::string& s) { return s.empty(); })) {
    return KeyError(source, key, "invalid key: expected dotted names such as api.max_batch");
  }
  PathSetter setter(segments, 0, value, source);
  root.bind(setter);
  return setter.Finish();
}

}  // namespace recplat::config::internal
