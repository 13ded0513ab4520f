#include "core/common/s3/s3_xml.h"

#include <expat.h>

#include <limits>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace recplat::s3 {
namespace {

// Deeper documents are refused: a listing is four levels deep.
constexpr int kMaxDepth = 32;

// Collects, for each element, its local name (namespace prefix dropped) and its text, and hands
// every closed element to `on_end(path, text)` where path is the stack of local names.
class ElementWalker {
 public:
  using OnEnd = void (*)(void* context, const std::vector<std::string>& path,
                         const std::string& text);

  ElementWalker(OnEnd on_end, void* context) : on_end_(on_end), context_(context) {}

  // Parses the whole document; InvalidArgument with expat's reason and line when malformed.
  absl::Status Parse(absl::string_view xml) {
    if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return absl::InvalidArgumentError("s3: XML document too large");
    }
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
        XML_ParserCreate("UTF-8"), &XML_ParserFree);
    if (parser == nullptr) return absl::ResourceExhaustedError("s3: cannot create an XML parser");
    parser_ = parser.get();
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(parser.get(), &ElementWalker::Start, &ElementWalker::End);
    XML_SetCharacterDataHandler(parser.get(), &ElementWalker::Text);
    // No DTDs at all: a store has no reason to send one.
    XML_SetStartDoctypeDeclHandler(parser.get(), &ElementWalker::Doctype);
    if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), /*isFinal=*/1) ==
        XML_STATUS_ERROR) {
      if (!error_.empty()) return absl::InvalidArgumentError(error_);
      return absl::InvalidArgumentError(
          absl::StrCat("s3: malformed XML at line ", XML_GetCurrentLineNumber(parser.get()), ": ",
                       XML_ErrorString(XML_GetErrorCode(parser.get()))));
    }
    return absl::OkStatus();
  }

 private:
  static void Start(void* data, const XML_Char* name, const XML_Char** /*attributes*/) {
    auto* self = static_cast<ElementWalker*>(data);
    absl::string_view local(name);
    // With namespace processing off, a prefixed name reads "prefix:Local".
    if (size_t colon = local.rfind(':'); colon != absl::string_view::npos) {
      local.remove_prefix(colon + 1);
    }
    self->path_.emplace_back(local);
    self->texts_.emplace_back();
    if (static_cast<int>(self->path_.size()) > kMaxDepth) self->Stop("s3: XML nested too deeply");
  }

  static void End(void* data, const XML_Char* /*name*/) {
    auto* self = static_cast<ElementWalker*>(data);
    self->on_end_(self->context_, self->path_, self->texts_.back());
    self->path_.pop_back();
    self->texts_.pop_back();
  }

  static void Text(void* data, const XML_Char* text, int length) {
    auto* self = static_cast<ElementWalker*>(data);
    if (!self->texts_.empty()) self->texts_.back().append(text, static_cast<size_t>(length));
  }

  static void Doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<ElementWalker*>(data)->Stop("s3: XML with a document type declaration refused");
  }

  void Stop(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
    XML_StopParser(parser_, XML_FALSE);
  }

  XML_Parser parser_ = nullptr;  // the parser of the running Parse()
  OnEnd on_end_;
  void* context_;
  std::vector<std::string> path_;
  std::vector<std::string> texts_;
  std::string error_;
};

bool PathIs(const std::vector<std::string>& path, std::initializer_list<absl::string_view> want) {
  if (path.size() != want.size()) return false;
  size_t i = 0;
  for (absl::string_view part : want) {
    if (path[i++] != part) return false;
  }
  return true;
}

struct ListState {
  ListPage page;
  ObjectInfo current;
  bool has_key = false;
  std::string root;
  std::string error;
};

void OnListElement(void* context, const std::vector<std::string>& path, const std::string& text) {
  auto* state = static_cast<ListState*>(context);
  if (!state->error.empty()) return;
  if (path.size() == 1) {
    state->root = path[0];
    return;
  }
  if (path[0] != "ListBucketResult") return;
  if (PathIs(path, {"ListBucketResult", "Contents", "Key"})) {
    state->current.key = text;
    state->has_key = true;
  } else if (PathIs(path, {"ListBucketResult", "Contents", "Size"})) {
    if (!absl::SimpleAtoi(text, &state->current.size) || state->current.size < 0) {
      state->error = absl::StrCat("s3: listing: Size '", text.substr(0, 40),
                                  "' is not a non-negative integer");
    }
  } else if (PathIs(path, {"ListBucketResult", "Contents", "ETag"})) {
    state->current.etag = std::string(absl::StripSuffix(absl::StripPrefix(text, "\""), "\""));
  } else if (PathIs(path, {"ListBucketResult", "Contents", "LastModified"})) {
    state->current.last_modified = text;
  } else if (PathIs(path, {"ListBucketResult", "Contents"})) {
    if (!state->has_key) {
      state->error = "s3: listing: an object without a Key";
      return;
    }
    state->page.objects.push_back(std::move(state->current));
    state->current = ObjectInfo{};
    state->has_key = false;
  } else if (PathIs(path, {"ListBucketResult", "CommonPrefixes", "Prefix"})) {
    state->page.common_prefixes.push_back(text);
  } else if (PathIs(path, {"ListBucketResult", "IsTruncated"})) {
    if (text == "true") {
      state->page.truncated = true;
    } else if (text != "false") {
      state->error = absl::StrCat("s3: listing: IsTruncated '", text.substr(0, 40),
                                  "' is not true or false");
    }
  } else if (PathIs(path, {"ListBucketResult", "NextContinuationToken"})) {
    state->page.next_continuation_token = text;
  }
}

struct ErrorState {
  ErrorBody body;
};

void OnErrorElement(void* context, const std::vector<std::string>& path, const std::string& text) {
  auto* state = static_cast<ErrorState*>(context);
  if (PathIs(path, {"Error", "Code"})) state->body.code = text;
  if (PathIs(path, {"Error", "Message"})) state->body.message = text;
}

}  // namespace

absl::StatusOr<ListPage> ParseListObjectsV2(absl::string_view xml) {
  ListState state;
  ElementWalker walker(&OnListElement, &state);
  absl::Status parsed = walker.Parse(xml);
  if (!parsed.ok()) return parsed;
  if (!state.error.empty()) return absl::InvalidArgumentError(state.error);
  if (state.root != "ListBucketResult") {
    return absl::InvalidArgumentError(
        absl::StrCat("s3: expected a ListBucketResult document, got '",
                     state.root.substr(0, 60), "'"));
  }
  if (state.page.truncated && state.page.next_continuation_token.empty()) {
    return absl::InvalidArgumentError(
        "s3: listing: a truncated page without a NextContinuationToken");
  }
  return std::move(state.page);
}

ErrorBody ParseErrorBody(absl::string_view xml) {
  ErrorState state;
  ElementWalker walker(&OnErrorElement, &state);
  if (!walker.Parse(xml).ok()) return ErrorBody{};
  // Bounded: the message reaches statuses and logs.
  if (state.body.code.size() > 128) state.body.code.resize(128);
  if (state.body.message.size() > 512) state.body.message.resize(512);
  return state.body;
}

}  // namespace recplat::s3
