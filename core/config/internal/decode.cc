#include "core/config/internal/decode.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/config/internal/text.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/parser.h"

namespace recplat::config::internal {
namespace {

// Flow text kept for a TextMap value is bounded in nodes and bytes, so that aliases (or an
// alias cycle) cannot expand it without limit.
constexpr size_t kMaxFlowNodes = 4096;
constexpr size_t kMaxFlowBytes = 64 * 1024;

const char* KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

// The text of a map key or list item: a non-null scalar in valid UTF-8.
absl::Status ScalarText(const YAML::Node& node, const std::string& path, absl::string_view source,
                        const char* what, std::string& out) {
  if (!node.IsScalar()) {
    return KeyError(source, path, absl::StrCat("expected ", what, "; got ", KindName(node)));
  }
  if (!IsValidUtf8(node.Scalar())) {
    return KeyError(source, path, absl::StrCat(what, " is not valid UTF-8"));
  }
  out = node.Scalar();
  return absl::OkStatus();
}

// The entries of a YAML map by key text, rejecting non-scalar and duplicate keys.
absl::Status MapEntries(const YAML::Node& node, const std::string& path, absl::string_view source,
                        std::vector<std::pair<std::string, YAML::Node>>& out) {
  std::set<std::string> seen;
  for (YAML::const_iterator it = node.begin(); it != node.end(); ++it) {
    std::string key;
    RECPLAT_RETURN_IF_ERROR(ScalarText(it->first, JoinPath(path, "?"), source, "a text key", key));
    if (!seen.insert(key).second) {
      return KeyError(source, JoinPath(path, key), "duplicate key");
    }
    out.emplace_back(std::move(key), it->second);
  }
  return absl::OkStatus();
}

// Collects the keys of a struct's fields.
class KeyCollector final : public Visitor {
 public:
  void Scalar(const char* key, const ScalarRef&) override { keys.emplace_back(key); }
  void List(const char* key, std::vector<std::string>&, const TextRule&) override {
    keys.emplace_back(key);
  }
  void TextMap(const char* key, std::map<std::string, std::string>&) override {
    keys.emplace_back(key);
  }
  void Struct(const char* key, const StructRef&) override { keys.emplace_back(key); }
  void StructMap(const char* key, const StructMapRef&, const TextRule&) override {
    keys.emplace_back(key);
  }

  std::vector<std::string> keys;
};

// Decodes the children of one YAML map into the fields of one struct; stops at the first error.
class FieldDecoder final : public Visitor {
 public:
  FieldDecoder(const std::vector<std::pair<std::string, YAML::Node>>& children,
               const std::string& path, absl::string_view source)
      : children_(children), path_(path), source_(source) {}

  void Scalar(const char* key, const ScalarRef& field) override {
    if (const YAML::Node* node = Find(key)) {
      status_ = DecodeScalar(*node, field, JoinPath(path_, key), source_);
    }
  }
  void List(const char* key, std::vector<std::string>& items, const TextRule& rule) override {
    if (const YAML::Node* node = Find(key)) {
      status_ = DecodeList(*node, items, rule, JoinPath(path_, key), source_);
    }
  }
  void TextMap(const char* key, std::map<std::string, std::string>& entries) override {
    if (const YAML::Node* node = Find(key)) {
      status_ = DecodeTextMap(*node, entries, JoinPath(path_, key), source_);
    }
  }
  void Struct(const char* key, const StructRef& fields) override {
    if (const YAML::Node* node = Find(key)) {
      status_ = DecodeStruct(*node, fields, JoinPath(path_, key), source_);
    }
  }
  void StructMap(const char* key, const StructMapRef& entries, const TextRule& rule) override {
    if (const YAML::Node* node = Find(key)) {
      status_ = DecodeStructMap(*node, entries, rule, JoinPath(path_, key), source_);
    }
  }

  const absl::Status& status() const { return status_; }

 private:
  // The node under `key`, or null when absent or after an error.
  const YAML::Node* Find(absl::string_view key) const {
    if (!status_.ok()) {
      return nullptr;
    }
    for (const auto& [name, node] : children_) {
      if (name == key) {
        return &node;
      }
    }
    return nullptr;
  }

  const std::vector<std::pair<std::string, YAML::Node>>& children_;
  const std::string& path_;
  absl::string_view source_;
  absl::Status status_;
};

// Adds the size of `node` expanded (aliases followed) to the counters; false past the limits.
bool WithinFlowBudget(const YAML::Node& node, size_t& nodes, size_t& bytes) {
  if (++nodes > kMaxFlowNodes) {
    return false;
  }
  if (node.IsScalar()) {
    bytes += node.Scalar().size();
    return bytes <= kMaxFlowBytes;
  }
  if (node.IsSequence() || node.IsMap()) {
    for (YAML::const_iterator it = node.begin(); it != node.end(); ++it) {
      const bool ok = node.IsMap() ? WithinFlowBudget(it->first, nodes, bytes) &&
                                         WithinFlowBudget(it->second, nodes, bytes)
                                   : WithinFlowBudget(*it, nodes, bytes);
      if (!ok) {
        return false;
      }
    }
  }
  return true;
}

// " at line L, column C" (1-based), or nothing for an unknown position.
std::string AtMark(const YAML::Mark& mark) {
  if (mark.is_null()) {
    return "";
  }
  return absl::StrCat(" at line ", mark.line + 1, ", column ", mark.column + 1);
}

// Parses one document's events only to learn where it starts.
class DocumentProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark start = YAML::Mark::null_mark();
};

}  // namespace

absl::Status ParseYamlDocument(absl::string_view text, absl::string_view source, YAML::Node& out) {
  try {
    // First pass: at most two documents through the event parser. YAML::LoadAll is not used:
    // yaml-cpp 0.7 loops forever, allocating, on stray tokens such as a lone ',' (yaml-cpp
    // issue 1040, fixed upstream in PR 1319), because each pass yields an empty document
    // without consuming the token. YAML::Load of such text silently returns null instead.
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    DocumentProbe first;
    if (!parser.HandleNextDocument(first)) {
      out = YAML::Node();
      return absl::OkStatus();
    }
    DocumentProbe second;
    if (parser.HandleNextDocument(second)) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": malformed YAML", AtMark(second.start),
          ": expected a single document; a second document or stray content starts here"));
    }
    out = YAML::Load(std::string(text));
    return absl::OkStatus();
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": malformed YAML", AtMark(e.mark), ": ", e.msg));
  }
}

absl::Status DecodeStruct(const YAML::Node& node, const StructRef& fields, const std::string& path,
                          absl::string_view source) {
  if (node.IsNull()) {
    return absl::OkStatus();
  }
  if (node.IsScalar() && fields.short_form != nullptr) {
    const std::vector<std::pair<std::string, YAML::Node>> children = {{fields.short_form, node}};
    FieldDecoder decoder(children, path, source);
    fields.bind(decoder);
    return decoder.status();
  }
  if (!node.IsMap()) {
    const std::string expected = fields.short_form == nullptr
                                     ? "a map"
                                     : absl::StrCat("a map or a ", fields.short_form, " scalar");
    if (path.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": expected a map at the top level; got ", KindName(node)));
    }
    return KeyError(source, path, absl::StrCat("expected ", expected, "; got ", KindName(node)));
  }
  std::vector<std::pair<std::string, YAML::Node>> children;
  RECPLAT_RETURN_IF_ERROR(MapEntries(node, path, source, children));
  KeyCollector known;
  fields.bind(known);
  for (const auto& child : children) {
    if (std::find(known.keys.begin(), known.keys.end(), child.first) == known.keys.end()) {
      return KeyError(source, JoinPath(path, child.first),
                      absl::StrCat("unknown key", Suggest(child.first, known.keys)));
    }
  }
  FieldDecoder decoder(children, path, source);
  fields.bind(decoder);
  return decoder.status();
}

absl::Status DecodeScalar(const YAML::Node& node, const ScalarRef& field, const std::string& path,
                          absl::string_view source) {
  std::string text;
  if (node.IsNull()) {
    if (!field.AcceptsNull()) {
      return KeyError(source, path, absl::StrCat("expected ", field.Expected(), "; got null"));
    }
  } else if (!node.IsScalar()) {
    return KeyError(source, path,
                    absl::StrCat("expected ", field.Expected(), "; got ", KindName(node)));
  } else {
    text = node.Scalar();
  }
  if (!IsValidUtf8(text)) {
    return KeyError(source, path, "value is not valid UTF-8");
  }
  if (!field.Set(text)) {
    return KeyError(source, path, absl::StrCat("expected ", field.Expected(), "; got ",
                                               QuoteValue(text, field.Secret())));
  }
  return absl::OkStatus();
}

absl::Status DecodeList(const YAML::Node& node, std::vector<std::string>& items,
                        const TextRule& item_rule, const std::string& path,
                        absl::string_view source) {
  if (node.IsNull()) {
    items.clear();
    return absl::OkStatus();
  }
  if (!node.IsSequence()) {
    return KeyError(source, path,
                    absl::StrCat("expected a sequence such as [a, b]; got ", KindName(node)));
  }
  std::vector<std::string> decoded;
  size_t index = 0;
  for (YAML::const_iterator it = node.begin(); it != node.end(); ++it, ++index) {
    const std::string item_path = absl::StrCat(path, "[", index, "]");
    std::string text;
    RECPLAT_RETURN_IF_ERROR(ScalarText(*it, item_path, source, "a scalar item", text));
    if (!item_rule.Accepts(text)) {
      return KeyError(source, item_path,
                      absl::StrCat("expected ", item_rule.expected, "; got ", Quote(text)));
    }
    decoded.push_back(std::move(text));
  }
  items = std::move(decoded);
  return absl::OkStatus();
}

absl::Status DecodeTextMap(const YAML::Node& node, std::map<std::string, std::string>& entries,
                           const std::string& path, absl::string_view source) {
  if (node.IsNull()) {
    entries.clear();
    return absl::OkStatus();
  }
  if (!node.IsMap()) {
    return KeyError(source, path, absl::StrCat("expected a map; got ", KindName(node)));
  }
  std::vector<std::pair<std::string, YAML::Node>> children;
  RECPLAT_RETURN_IF_ERROR(MapEntries(node, path, source, children));
  std::map<std::string, std::string> decoded;
  for (const auto& [key, value] : children) {
    RECPLAT_RETURN_IF_ERROR(DecodeTextValue(value, JoinPath(path, key), source, decoded[key]));
  }
  entries = std::move(decoded);
  return absl::OkStatus();
}

absl::Status DecodeStructMap(const YAML::Node& node, const StructMapRef& entries,
                             const TextRule& name_rule, const std::string& path,
                             absl::string_view source) {
  if (node.IsNull()) {
    entries.Clear();
    return absl::OkStatus();
  }
  if (!node.IsMap()) {
    return KeyError(source, path,
                    absl::StrCat("expected a map of named entries; got ", KindName(node)));
  }
  std::vector<std::pair<std::string, YAML::Node>> children;
  RECPLAT_RETURN_IF_ERROR(MapEntries(node, path, source, children));
  entries.Clear();
  for (const auto& [name, value] : children) {
    const std::string entry_path = JoinPath(path, name);
    if (!name_rule.Accepts(name)) {
      return KeyError(source, entry_path,
                      absl::StrCat("invalid name: expected ", name_rule.expected));
    }
    RECPLAT_RETURN_IF_ERROR(DecodeStruct(value, entries.Entry(name), entry_path, source));
  }
  return absl::OkStatus();
}

absl::Status DecodeTextValue(const YAML::Node& node, const std::string& path,
                             absl::string_view source, std::string& out) {
  std::string text;
  if (node.IsScalar()) {
    text = node.Scalar();
  } else if (node.IsSequence() || node.IsMap()) {
    size_t nodes = 0;
    size_t bytes = 0;
    if (!WithinFlowBudget(node, nodes, bytes)) {
      return KeyError(source, path, "value too large");
    }
    YAML::Emitter emitter;
    emitter.SetSeqFormat(YAML::Flow);
    emitter.SetMapFormat(YAML::Flow);
    emitter << node;
    if (!emitter.good()) {
      return KeyError(source, path, absl::StrCat("cannot render value: ", emitter.GetLastError()));
    }
    text = emitter.c_str();
  } else if (!node.IsNull()) {
    return KeyError(source, path, absl::StrCat("expected a value; got ", KindName(node)));
  }
  if (!IsValidUtf8(text)) {
    return KeyError(source, path, "value is not valid UTF-8");
  }
  out = std::move(text);
  return absl::OkStatus();
}

}  // namespace recplat::config::internal
