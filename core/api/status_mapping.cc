#include "core/api/status_mapping.h"

namespace recplat::api {

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    default: return 500;
  }
}

int JsonRpcCodeFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return -32602;
    case absl::StatusCode::kUnauthenticated: return -32001;
    case absl::StatusCode::kPermissionDenied: return -32003;
    case absl::StatusCode::kNotFound: return -32004;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return -32009;
    case absl::StatusCode::kFailedPrecondition: return -32010;
    case absl::StatusCode::kResourceExhausted: return -32029;
    case absl::StatusCode::kCancelled: return -32030;
    case absl::StatusCode::kUnimplemented: return -32601;
    case absl::StatusCode::kUnavailable: return -32053;
    case absl::StatusCode::kDeadlineExceeded: return -32054;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    default: return -32603;
  }
}

std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  return name.empty() ? "UNKNOWN" : name;
}

std::string ClientMessage(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      return "internal error (details in the server log)";
    default: break;
  }
  std::string msg(status.message());
  if (msg.size() > kMaxClientMessage) {
    size_t cut = kMaxClientMessage - 3;
    // Never split a UTF-8 sequence: back off to the lead byte of the one that straddles.
    while (cut > 0 && (static_cast<unsigned char>(msg[cut]) & 0xC0) == 0x80) --cut;
    msg.resize(cut);
    msg += "...";
  }
  return msg;
}

}  // namespace recplat::api
