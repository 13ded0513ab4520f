// ParseJsonText (declared in json_fields.h): nlohmann::json decoding without exceptions, with a
// size and depth bound and error messages that give the byte offset.
#include <cstddef>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "frontends/http_rest/json_fields.h"

namespace recplat::http::json_fields {
namespace {

using nlohmann::json;

// Accepts every event and records the first syntax error; used only after a failed parse, to
// find where it failed (json::parse without exceptions reports no position).
class ErrorLocator final : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) override {
    position_ = position;
    what_ = error.what();
    return false;
  }

  std::size_t position() const { return position_; }
  // nlohmann's message without its "[json.exception.parse_error.101] " prefix, escaped (it
  // quotes the offending input, which may be any bytes) and capped.
  std::string Description() const {
    absl::string_view what = what_;
    if (absl::StartsWith(what, "[json.exception.")) {
      const size_t end = what.find("] ");
      if (end != absl::string_view::npos) {
        what.remove_prefix(end + 2);
      }
    }
    constexpr size_t kMaxBytes = 200;
    return absl::CHexEscape(what.substr(0, kMaxBytes));
  }

 private:
  std::size_t position_ = 0;
  std::string what_ = "syntax error";
};

}  // namespace

absl::StatusOr<json> ParseJsonText(absl::string_view text, size_t max_bytes, int max_depth) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body of ", text.size(), " bytes exceeds the limit of ", max_bytes));
  }
  bool too_deep = false;
  const json::parser_callback_t limit_depth =
      [&too_deep, max_depth](int depth, json::parse_event_t /*event*/, json& /*parsed*/) {
        if (depth > max_depth) {
          too_deep = true;
          return false;  // Skip the element: deep input is never materialised.
        }
        return true;
      };
  json parsed = json::parse(text.begin(), text.end(), limit_depth, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    ErrorLocator locator;
    json::sax_parse(text.begin(), text.end(), &locator);
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at byte ", locator.position(), ": ", locator.Description()));
  }
  if (too_deep) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON nested deeper than ", max_depth, " levels"));
  }
  return parsed;
}

}  // namespace recplat::http::json_fields
