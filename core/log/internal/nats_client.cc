#include "core/log/internal/nats_client.h"

#include <nats/nats.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace recplat::log::internal {
namespace {

// With a connected callback, a first connect that finds no server returns at once and goes on
// in the background (without one, libnats retries synchronously, MaxReconnect times).
void OnConnected(natsConnection*, void*) {}

}  // namespace

// Shared with internal/nats_kv.cc (declared there).
int64_t Ms(absl::Duration d) { return std::max<int64_t>(1, absl::ToInt64Milliseconds(d)); }

// `what` failed with `s` (and JetStream error `jerr` when not 0).
absl::Status ToStatus(natsStatus s, int jerr, absl::string_view what) {
  std::string message = absl::StrCat(what, ": ", natsStatus_GetText(s));
  if (jerr != 0) absl::StrAppend(&message, " (JetStream error ", jerr, ")");
  switch (s) {
    case NATS_OK:
      return absl::OkStatus();
    case NATS_TIMEOUT:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_RESPONDERS:
    case NATS_IO_ERROR:
    case NATS_STALE_CONNECTION:
    case NATS_INSUFFICIENT_BUFFER:
    case NATS_SLOW_CONSUMER:
    case NATS_MISSED_HEARTBEAT:
    case NATS_INVALID_SUBSCRIPTION:
    case NATS_MISMATCH:
    case NATS_NOT_FOUND:
      return absl::UnavailableError(message);
    case NATS_ERR:
      // A JetStream API error: a stream without quorum or peers is a passing state.
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

namespace {

struct StreamInfoDeleter {
  void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
};
using StreamInfo = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;

// Asks the JetStream API for `stream`'s configuration and state; `*jerr` receives the
// JetStream error code when the request fails.
natsStatus GetStreamInfo(jsCtx* js, const std::string& stream, const jsOptions& options,
                         StreamInfo* out, jsErrCode* jerr) {
  jsStreamInfo* info = nullptr;
  jsOptions o = options;
  *jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&info, js, stream.c_str(), &o, jerr);
  out->reset(info);
  return s;
}

jsOptions WaitOptions(absl::Duration timeout) {
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = Ms(timeout);
  return o;
}

}  // namespace

NatsSubscription::~NatsSubscription() {
  if (sub_ != nullptr) {
    natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
  }
}

absl::StatusOr<std::optional<StreamMessage>> NatsSubscription::Next(absl::Duration timeout) {
  natsMsg* msg = nullptr;
  natsStatus s = natsSubscription_NextMsg(&msg, sub_, Ms(timeout));
  if (s == NATS_TIMEOUT) return std::nullopt;
  if (s != NATS_OK) return ToStatus(s, 0, "NATS subscription");
  StreamMessage out;
  if (!jetstream_) {
    out.body.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
    return out;
  }
  jsMsgMetaData* meta = nullptr;
  s = natsMsg_GetMetaData(&meta, msg);
  if (s == NATS_OK) {
    out.stream_seq = meta->Sequence.Stream;
    out.pending = meta->NumPending;
    jsMsgMetaData_Destroy(meta);
    out.body.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  }
  natsMsg_Destroy(msg);
  if (s != NATS_OK) return ToStatus(s, 0, "JetStream message metadata");
  return out;
}

absl::StatusOr<std::unique_ptr<NatsClient>> NatsClient::Connect(const NatsClientOptions& options) {
  if (options.servers.empty()) return absl::InvalidArgumentError("no NATS server given");
  // libnats reads the credentials file only when it connects: check the files up front, so a
  // typo is a start-up error rather than a connection that never succeeds.
  for (const auto& [key, path] : {std::pair<const char*, const std::string*>{
                                      "nats.credentials_file", &options.credentials_file},
                                  {"nats.tls.ca_file", &options.tls_ca_file},
                                  {"nats.tls.cert_file", &options.tls_cert_file},
                                  {"nats.tls.key_file", &options.tls_key_file}}) {
    if (!path->empty() && !std::ifstream(*path).good()) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": cannot read '", *path, "'"));
    }
  }
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return absl::InternalError("natsOptions_Create");
  std::vector<const char*> urls;
  for (const std::string& url : options.servers) urls.push_back(url.c_str());
  absl::Status status;
  auto check = [&status](natsStatus s, const std::string& what) {
    if (status.ok() && s != NATS_OK) {
      status = absl::InvalidArgumentError(
          absl::StrCat(what, ": ", natsStatus_GetText(s), " ", nats_GetLastError(nullptr)));
    }
  };
  check(natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size())), "nats.servers");
  check(natsOptions_SetName(opts, options.name.c_str()), "connection name");
  check(natsOptions_SetTimeout(opts, Ms(options.connect_timeout)), "nats.connect_timeout_ms");
  // Keep reconnecting forever, quickly; a publish while disconnected fails at once (a 1-byte
  // reconnect buffer) instead of being sent later, after its caller was told it failed.
  check(natsOptions_SetMaxReconnect(opts, -1), "max reconnect");
  check(natsOptions_SetReconnectWait(opts, 250), "reconnect wait");
  check(natsOptions_SetReconnectBufSize(opts, 1), "reconnect buffer");
  check(natsOptions_SetFailRequestsOnDisconnect(opts, true), "fail requests on disconnect");
  check(natsOptions_SetPingInterval(opts, 2000), "ping interval");
  check(natsOptions_SetMaxPingsOut(opts, 2), "max pings out");
  check(natsOptions_SetRetryOnFailedConnect(opts, true, OnConnected, nullptr), "retry connect");
  if (!options.credentials_file.empty()) {
    check(natsOptions_SetUserCredentialsFromFiles(opts, options.credentials_file.c_str(), nullptr),
          absl::StrCat("nats.credentials_file '", options.credentials_file, "'"));
  }
  if (!options.tls_ca_file.empty() || !options.tls_cert_file.empty()) {
    check(natsOptions_SetSecure(opts, true), "nats.tls");
  }
  if (!options.tls_ca_file.empty()) {
    check(natsOptions_LoadCATrustedCertificates(opts, options.tls_ca_file.c_str()),
          absl::StrCat("nats.tls.ca_file '", options.tls_ca_file, "'"));
  }
  if (!options.tls_cert_file.empty()) {
    check(natsOptions_LoadCertificatesChain(opts, options.tls_cert_file.c_str(),
                                            options.tls_key_file.c_str()),
          absl::StrCat("nats.tls.cert_file '", options.tls_cert_file, "'"));
  }
  if (!status.ok()) {
    natsOptions_Destroy(opts);
    return status;
  }
  std::unique_ptr<NatsClient> client(new NatsClient());
  natsStatus s = natsConnection_Connect(&client->nc_, opts);
  natsOptions_Destroy(opts);
  // NATS_NOT_YET_CONNECTED: no server answered yet; the library keeps trying.
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot connect to NATS: ", natsStatus_GetText(s), " ", nats_GetLastError(nullptr)));
  }
  s = natsConnection_JetStream(&client->js_, client->nc_, nullptr);
  if (s != NATS_OK) return ToStatus(s, 0, "JetStream context");
  return client;
}

NatsClient::~NatsClient() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

bool NatsClient::Connected() const {
  return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

absl::StatusOr<int64_t> NatsClient::EnsureStream(const std::string& stream,
                                                 const std::string& subject, int replicas,
                                                 absl::Duration timeout) {
  jsOptions o = WaitOptions(timeout);
  StreamInfo info;
  jsErrCode jerr;
  natsStatus s = GetStreamInfo(js_, stream, o, &info, &jerr);
  if (s == NATS_OK) return info->Config != nullptr ? info->Config->Replicas : 0;
  if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
    return ToStatus(s, jerr, absl::StrCat("JetStream stream info of '", stream, "'"));
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = stream.c_str();
  const char* subjects[1] = {subject.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = replicas;
  jsStreamInfo* si = nullptr;
  jerr = static_cast<jsErrCode>(0);
  s = js_AddStream(&si, js_, &cfg, &o, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    return replicas;
  }
  if (jerr == JSStreamNameExistErr) return replicas;  // Another replica created it meanwhile.
  return ToStatus(
      s, jerr,
      absl::StrCat("cannot create JetStream stream '", stream, "' (", replicas,
                   " replicas, subject '", subject, "'): ", nats_GetLastError(nullptr)));
}

absl::StatusOr<uint64_t> NatsClient::LastSequence(const std::string& stream,
                                                  absl::Duration timeout) {
  StreamInfo info;
  jsErrCode jerr;
  const natsStatus s = GetStreamInfo(js_, stream, WaitOptions(timeout), &info, &jerr);
  if (s != NATS_OK) {
    return ToStatus(s, jerr, absl::StrCat("JetStream stream info of '", stream, "'"));
  }
  return info->State.LastSeq;
}

absl::StatusOr<uint64_t> NatsClient::Publish(const std::string& subject, const std::string& body,
                                             const std::string& msg_id, absl::Duration timeout) {
  natsMsg* msg = nullptr;
  natsStatus s =
      natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
  if (s != NATS_OK) return ToStatus(s, 0, "JetStream message");
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = Ms(timeout);
  po.MsgId = msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, js_, msg, &po, &jerr);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) return ToStatus(s, jerr, "JetStream publish");
  const uint64_t seq = ack->Sequence;
  jsPubAck_Destroy(ack);
  return seq;
}

absl::StatusOr<std::unique_ptr<NatsSubscription>> NatsClient::Subscribe(const std::string& stream,
                                                                        const std::string& subject,
                                                                        uint64_t start_seq) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = start_seq;
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_SubscribeSync(&sub, js_, subject.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) return ToStatus(s, jerr, "JetStream subscribe");
  // An ordered consumer's backlog may be large (a replica catching up): allow it.
  natsSubscription_SetPendingLimits(sub, 1 << 20, 1 << 30);
  return std::unique_ptr<NatsSubscription>(new NatsSubscription(sub, /*jetstream=*/true));
}

}  // namespace recplat::log::internal
