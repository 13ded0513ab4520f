// JetStreamEventLog: publishing (Append) and the mirror thread (Impl::Run). See the header.
#include "core/log/jetstream_event_log.h"

#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "core/common/logging.h"
#include "core/log/internal/nats_client.h"
#include "core/log/record_batch.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace recplat::log {
namespace {

// Stream sequence -> first offset entries kept for appends waiting on their message.
constexpr size_t kRecentMessages = 65536;
// How often the mirror asks the stream for its last sequence (lag), and after how long without
// a message while behind it gives up on its subscription and makes a new one.
constexpr absl::Duration kInfoInterval = absl::Seconds(1);
constexpr absl::Duration kStallTimeout = absl::Seconds(3);

struct Metrics {
  explicit Metrics(prometheus::Registry& r)
      : sequence(prometheus::BuildGauge()
                     .Name("recplat_log_stream_sequence")
                     .Help("JetStream stream sequence of the last message in the local copy")
                     .Register(r)
                     .Add({})),
        lag(prometheus::BuildGauge()
                .Name("recplat_log_stream_lag")
                .Help("Messages of the JetStream stream not yet in the local copy")
                .Register(r)
                .Add({})),
        publish_seconds(
            prometheus::BuildHistogram()
                .Name("recplat_log_publish_seconds")
                .Help("JetStream publish latency until the stream's ack")
                .Register(r)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                                 2.5, 5, 10})),
        failures(prometheus::BuildCounter()
                     .Name("recplat_log_publish_failures_total")
                     .Help("JetStream appends that failed, by status code")
                     .Register(r)) {}
  prometheus::Gauge& sequence;
  prometheus::Gauge& lag;
  prometheus::Histogram& publish_seconds;
  prometheus::Family<prometheus::Counter>& failures;
};

std::string NewMsgIdPrefix() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  std::random_device rd;
  const uint64_t r = (uint64_t{rd()} << 32) | rd();
  return absl::StrCat(host, "-", ::getpid(), "-", absl::Hex(r));
}

}  // namespace

struct JetStreamEventLog::Impl {
  JetStreamOptions options;
  std::string subject;
  std::string servers;  // For messages.
  std::unique_ptr<MirroredEventLog> local;
  std::unique_ptr<internal::NatsClient> client;
  std::unique_ptr<Metrics> metrics;
  const std::string msg_id_prefix = NewMsgIdPrefix();
  std::atomic<uint64_t> msg_counter{0};

  mutable absl::Mutex mu;
  bool closed ABSL_GUARDED_BY(mu) = false;
  uint64_t mirrored ABSL_GUARDED_BY(mu) = 0;
  uint64_t stream_last ABSL_GUARDED_BY(mu) = 0;
  std::map<uint64_t, uint64_t> first_offsets ABSL_GUARDED_BY(mu);
  std::string last_error ABSL_GUARDED_BY(mu);
  std::thread thread;

  // Waits up to `d` unless closing; returns whether closing.
  bool Sleep(absl::Duration d) {
    absl::MutexLock lock(&mu);
    auto closing = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return closed; };
    mu.AwaitWithTimeout(absl::Condition(&closing), d);
    return closed;
  }
  bool Closing() {
    absl::MutexLock lock(&mu);
    return closed;
  }
  void SetError(const absl::Status& s, const char* what) {
    {
      absl::MutexLock lock(&mu);
      if (last_error == s.message()) return;  // Logged already.
      last_error = std::string(s.message());
    }
    RECPLAT_LOG(Error, what, {{"servers", servers}, {"error", s.ToString()}});
  }
  void ClearError() {
    absl::MutexLock lock(&mu);
    last_error.clear();
  }
  void UpdateLagLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (metrics == nullptr) return;
    metrics->sequence.Set(static_cast<double>(mirrored));
    metrics->lag.Set(static_cast<double>(stream_last > mirrored ? stream_last - mirrored : 0));
  }

  // Copies one message into the local log.
  absl::Status Ingest(const internal::StreamMessage& m) {
    const uint64_t have = local->SourceSequence();
    if (m.stream_seq <= have) return absl::OkStatus();  // Redelivered after a reset.
    if (m.stream_seq != have + 1) {
      return absl::DataLossError(absl::StrCat(
          "stream '", options.stream, "' delivered sequence ", m.stream_seq, " after ", have,
          ": the messages between are missing from the stream "
          "(deleted or purged?); this replica cannot copy them"));
    }
    absl::StatusOr<std::vector<std::string>> records = DecodeRecordBatch(m.body);
    if (!records.ok()) {
      // Every replica skips the same message the same way, so offsets stay identical.
      RECPLAT_LOG(Error, "skipping a JetStream message that is not a record batch",
                  {{"stream_seq", m.stream_seq}, {"error", records.status().ToString()}});
      records = std::vector<std::string>();
    }
    absl::StatusOr<uint64_t> first = local->AppendMirrored(*records, m.stream_seq);
    if (!first.ok()) return first.status();
    absl::MutexLock lock(&mu);
    mirrored = m.stream_seq;
    first_offsets[m.stream_seq] = *first;
    while (first_offsets.size() > kRecentMessages) first_offsets.erase(first_offsets.begin());
    stream_last = std::max(stream_last, m.stream_seq + m.pending);
    UpdateLagLocked();
    return absl::OkStatus();
  }

  void RefreshStreamLast() {
    absl::StatusOr<uint64_t> last = client->LastSequence(options.stream, kInfoInterval);
    if (!last.ok()) return;
    absl::MutexLock lock(&mu);
    stream_last = *last;
    UpdateLagLocked();
  }

  // The mirror thread: (re)creates the stream and the subscription as needed and copies
  // messages until closed.
  void Run() {
    bool stream_ready = false;
    std::unique_ptr<internal::NatsSubscription> sub;
    absl::Time last_message = absl::Now();
    absl::Time last_info = absl::InfinitePast();
    while (!Closing()) {
      if (!client->Connected()) {
        sub.reset();
        SetError(absl::UnavailableError("not connected to any NATS server (retrying)"),
                 "JetStream log: NATS unreachable");
        Sleep(absl::Milliseconds(100));
        continue;
      }
      if (!stream_ready) {
        absl::StatusOr<int64_t> replicas =
            client->EnsureStream(options.stream, subject, options.replicas, options.ack_timeout);
        if (!replicas.ok()) {
          SetError(replicas.status(), "JetStream log: stream not available");
          Sleep(absl::Seconds(1));
          continue;
        }
        RECPLAT_LOG(Info, "JetStream log: stream ready",
                    {{"stream", options.stream}, {"subject", subject}, {"replicas", *replicas}});
        stream_ready = true;
      }
      if (sub == nullptr) {
        const uint64_t from = local->SourceSequence() + 1;
        absl::StatusOr<std::unique_ptr<internal::NatsSubscription>> s =
            client->Subscribe(options.stream, subject, from);
        if (!s.ok()) {
          SetError(s.status(), "JetStream log: cannot subscribe to the stream");
          Sleep(absl::Milliseconds(500));
          continue;
        }
        RECPLAT_LOG(Info, "JetStream log: mirroring", {{"from_stream_seq", from}});
        ClearError();
        sub = *std::move(s);
        last_message = absl::Now();
      }
      absl::StatusOr<std::optional<internal::StreamMessage>> m = sub->Next(absl::Milliseconds(200));
      if (!m.ok()) {
        SetError(m.status(), "JetStream log: subscription lost; resubscribing");
        sub.reset();
        continue;
      }
      if (m->has_value()) {
        if (absl::Status s = Ingest(**m); !s.ok()) {
          SetError(s, "JetStream log: cannot copy a message");
          sub.reset();
          Sleep(absl::Seconds(1));
          continue;
        }
        last_message = absl::Now();
      }
      if (absl::Now() - last_info >= kInfoInterval) {
        last_info = absl::Now();
        RefreshStreamLast();
        const JetStreamStats st = Stats();
        if (st.lag > 0 && absl::Now() - last_message > kStallTimeout) {
          RECPLAT_LOG(Warn, "JetStream log: no message while behind the stream; resubscribing",
                      {{"mirrored_seq", st.mirrored_seq}, {"stream_last_seq", st.stream_last_seq}});
          sub.reset();
        }
      }
    }
  }

  JetStreamStats Stats() const {
    JetStreamStats st;
    st.connected = client->Connected();
    absl::MutexLock lock(&mu);
    st.mirrored_seq = mirrored;
    st.stream_last_seq = stream_last;
    st.lag = stream_last > mirrored ? stream_last - mirrored : 0;
    st.last_error = last_error;
    return st;
  }

  absl::Status Unavailable(absl::string_view why) const {
    return absl::UnavailableError(
        absl::StrCat("event log: NATS JetStream at ", servers, ": ", why));
  }
};

JetStreamEventLog::JetStreamEventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JetStreamEventLog::~JetStreamEventLog() { Close(); }

absl::StatusOr<std::unique_ptr<JetStreamEventLog>> JetStreamEventLog::Create(
    JetStreamOptions options, std::unique_ptr<MirroredEventLog> local) {
  if (local == nullptr) return absl::InvalidArgumentError("JetStream log: no local log");
  if (local->NextOffset() > 0 && local->SourceSequence() == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the local event log holds ", local->NextOffset(),
        " records written with log.backend rocksdb: their offsets would not match the JetStream "
        "stream's; start the replica from an empty data_dir (it rebuilds from the stream)"));
  }
  auto impl = std::make_unique<Impl>();
  impl->subject = options.subject.empty() ? absl::StrCat(options.stream, ".log") : options.subject;
  impl->servers = absl::StrJoin(options.servers, ",");
  internal::NatsClientOptions co;
  co.servers = options.servers;
  co.credentials_file = options.credentials_file;
  co.tls_ca_file = options.tls_ca_file;
  co.tls_cert_file = options.tls_cert_file;
  co.tls_key_file = options.tls_key_file;
  co.connect_timeout = options.connect_timeout;
  co.name = options.client_name;
  absl::StatusOr<std::unique_ptr<internal::NatsClient>> client = internal::NatsClient::Connect(co);
  if (!client.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JetStream log (nats.servers ", impl->servers,
                                                   "): ", client.status().message()));
  }
  impl->client = *std::move(client);
  if (options.metrics != nullptr) impl->metrics = std::make_unique<Metrics>(*options.metrics);
  impl->options = std::move(options);
  impl->local = std::move(local);
  {
    absl::MutexLock lock(&impl->mu);
    impl->mirrored = impl->local->SourceSequence();
    impl->UpdateLagLocked();
  }
  if (!impl->client->Connected()) {
    RECPLAT_LOG(Error,
                "JetStream log: no NATS server reachable yet; serving reads from the "
                "local copy and retrying in the background",
                {{"servers", impl->servers}});
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<JetStreamEventLog>(new JetStreamEventLog(std::move(impl)));
}

absl::StatusOr<uint64_t> JetStreamEventLog::Append(const std::vector<std::string>& records) {
  return AppendWithMsgId(records, absl::StrCat(impl_->msg_id_prefix, "-", ++impl_->msg_counter));
}

absl::StatusOr<uint64_t> JetStreamEventLog::AppendWithMsgId(const std::vector<std::string>& records,
                                                            const std::string& msg_id) {
  Impl& s = *impl_;
  if (records.empty()) return absl::InvalidArgumentError("empty append");
  if (msg_id.empty()) return absl::InvalidArgumentError("empty message id");
  auto fail = [&s](absl::Status status) {
    if (s.metrics != nullptr) {
      s.metrics->failures.Add({{"code", absl::StatusCodeToString(status.code())}}).Increment();
    }
    return status;
  };
  if (s.Closing()) return fail(absl::UnavailableError("event log is closed"));
  if (!s.client->Connected()) {
    const std::string err = s.Stats().last_error;
    return fail(s.Unavailable(absl::StrCat("not connected", err.empty() ? "" : ": ", err)));
  }
  const std::string body = EncodeRecordBatch(records);
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + s.options.ack_timeout;
  absl::StatusOr<uint64_t> seq;
  // Retried with the same id while time remains (a leader election, a node restarting): the
  // stream keeps one copy of a message however often it is published within its window.
  while (true) {
    seq = s.client->Publish(s.subject, body, msg_id, deadline - absl::Now());
    if (seq.ok() || !absl::IsUnavailable(seq.status())) break;
    if (deadline - absl::Now() < absl::Milliseconds(200) || s.Sleep(absl::Milliseconds(100))) break;
  }
  if (!seq.ok()) {
    return fail(s.Unavailable(absl::StrCat("publish not acknowledged: ", seq.status().message())));
  }
  if (s.metrics != nullptr)
    s.metrics->publish_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  absl::MutexLock lock(&s.mu);
  const uint64_t want = *seq;
  auto copied = [&s, want]()
                    ABSL_SHARED_LOCKS_REQUIRED(s.mu) { return s.mirrored >= want || s.closed; };
  s.mu.AwaitWithTimeout(absl::Condition(&copied), s.options.ack_timeout);
  if (s.mirrored < want) {
    return fail(
        absl::DeadlineExceededError(absl::StrCat("event log: stream sequence ", want,
                                                 " is acknowledged (durable in the stream) but not "
                                                 "yet in this replica's copy (at ",
                                                 s.mirrored, ")")));
  }
  auto it = s.first_offsets.find(want);
  if (it == s.first_offsets.end()) {
    return fail(absl::InternalError(
        absl::StrCat("event log: the offset of stream sequence ", want, " is no longer known")));
  }
  return it->second;
}

uint64_t JetStreamEventLog::NextOffset() const { return impl_->local->NextOffset(); }

common::DatabaseMemory JetStreamEventLog::MemoryUsage() const {
  return impl_->local->MemoryUsage();
}

absl::Status JetStreamEventLog::Read(
    uint64_t from, size_t max_records,
    const std::function<absl::Status(uint64_t, absl::string_view)>& fn) const {
  return impl_->local->Read(from, max_records, fn);
}

bool JetStreamEventLog::WaitForOffset(uint64_t offset, absl::Duration timeout) const {
  return impl_->local->WaitForOffset(offset, timeout);
}

void JetStreamEventLog::Close() {
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->closed = true;
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->local->Close();
}

JetStreamStats JetStreamEventLog::Stats() const { return impl_->Stats(); }

}  // namespace recplat::log
