#include "frontends/http_rest/eosc/eosc_databus.h"

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/logging.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace recplat::http::eosc {

using nlohmann::json;

struct EoscDatabus::Impl {
  DatabusOptions options;
  ActionSink sink;
  std::unique_ptr<stomp::StompClient> client;
  std::atomic<uint64_t> published{0}, dropped{0}, stored{0}, invalid{0}, failed{0};
  // Metrics (null without a registry); owned by the registry.
  prometheus::Counter* m_published = nullptr;
  prometheus::Counter* m_dropped = nullptr;
  prometheus::Counter* m_stored = nullptr;
  prometheus::Counter* m_invalid = nullptr;
  prometheus::Counter* m_failed = nullptr;
  prometheus::Gauge* m_connected = nullptr;
  prometheus::Counter* m_confirmed = nullptr;
  prometheus::Counter* m_resent = nullptr;
  prometheus::Gauge* m_unconfirmed = nullptr;
  // The client's receipt counts already added to m_confirmed / m_resent.
  absl::Mutex sync_mu;
  uint64_t synced_receipts ABSL_GUARDED_BY(sync_mu) = 0;
  uint64_t synced_resent ABSL_GUARDED_BY(sync_mu) = 0;

  static void Inc(std::atomic<uint64_t>& n, prometheus::Counter* m) {
    ++n;
    if (m != nullptr) m->Increment();
  }

  void DeclareMetrics(prometheus::Registry& registry) {
    auto& sent = prometheus::BuildCounter()
                     .Name("recplat_eosc_databus_publications_total")
                     .Help("Recommendations for the databus, by result (queued, dropped, "
                           "confirmed by a broker RECEIPT, resent after a lost connection)")
                     .Register(registry);
    m_published = &sent.Add({{"result", "queued"}});
    m_dropped = &sent.Add({{"result", "dropped"}});
    m_confirmed = &sent.Add({{"result", "confirmed"}});
    m_resent = &sent.Add({{"result", "resent"}});
    m_unconfirmed = &prometheus::BuildGauge()
                         .Name("recplat_eosc_databus_unconfirmed")
                         .Help("Recommendations sent to the broker and not yet confirmed")
                         .Register(registry)
                         .Add({});
    auto& actions = prometheus::BuildCounter()
                        .Name("recplat_eosc_databus_user_actions_total")
                        .Help("User actions received from the databus, by result")
                        .Register(registry);
    m_stored = &actions.Add({{"result", "stored"}});
    m_invalid = &actions.Add({{"result", "invalid"}});
    m_failed = &actions.Add({{"result", "failed"}});
    m_connected = &prometheus::BuildGauge()
                       .Name("recplat_eosc_databus_connected")
                       .Help("1 while connected to the STOMP broker")
                       .Register(registry)
                       .Add({});
  }

  // Brings the receipt metrics up to the client's counts (called on publish, health and
  // connection changes: the client has no per-receipt callback).
  void SyncReceiptMetrics() {
    if (m_confirmed == nullptr || client == nullptr) return;
    const stomp::StompStats stats = client->stats();
    absl::MutexLock lock(&sync_mu);
    if (stats.receipts > synced_receipts) {
      m_confirmed->Increment(static_cast<double>(stats.receipts - synced_receipts));
      synced_receipts = stats.receipts;
    }
    if (stats.resent > synced_resent) {
      m_resent->Increment(static_cast<double>(stats.resent - synced_resent));
      synced_resent = stats.resent;
    }
    m_unconfirmed->Set(static_cast<double>(stats.unconfirmed));
  }

  void OnMessage(const stomp::Frame& frame) {
    absl::Status s;
    try {
      s = sink(frame.body);
    } catch (const std::exception& e) {
      s = absl::InternalError(absl::StrCat("the user action sink threw: ", e.what()));
    }
    if (s.ok()) {
      Inc(stored, m_stored);
      return;
    }
    const std::string id = frame.Header("message-id").value_or("");
    if (absl::IsInvalidArgument(s)) {
      Inc(invalid, m_invalid);
      RECPLAT_LOG(Warn, "eosc databus: invalid user action ignored",
                  {{"message_id", id}, {"error", s.message()}});
    } else {
      Inc(failed, m_failed);
      RECPLAT_LOG(Error, "eosc databus: user action not stored",
                  {{"message_id", id}, {"error", s.ToString()}});
    }
  }
};

absl::StatusOr<std::unique_ptr<EoscDatabus>> EoscDatabus::Start(DatabusOptions options,
                                                                ActionSink sink) {
  if (options.publish_topic.empty()) {
    return absl::InvalidArgumentError("eosc.databus_publish_topic: empty");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->sink = std::move(sink);
  if (impl->options.metrics != nullptr) impl->DeclareMetrics(*impl->options.metrics);
  impl->options.stomp.subscription = impl->options.subscription_topic;
  Impl* raw = impl.get();
  auto client = stomp::StompClient::Start(
      impl->options.stomp, [raw](const stomp::Frame& f) { raw->OnMessage(f); },
      [raw](bool up, const std::string&) {
        if (raw->m_connected != nullptr) raw->m_connected->Set(up ? 1 : 0);
      });
  if (!client.ok()) return client.status();
  impl->client = *std::move(client);
  return std::unique_ptr<EoscDatabus>(new EoscDatabus(std::move(impl)));
}

EoscDatabus::EoscDatabus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EoscDatabus::~EoscDatabus() {
  // Stop the I/O thread before the sink and counters it uses go away.
  if (impl_ != nullptr && impl_->client != nullptr) impl_->client->Stop();
}

void EoscDatabus::PublishRecommendation(const json& context, const json& response) {
  const json message = {
      {"recommender_system", "cyfronet"}, {"context", context}, {"response", response}};
  std::string body = message.dump(-1, ' ', false, json::error_handler_t::replace);
  if (impl_->client->Publish(impl_->options.publish_topic, std::move(body))) {
    Impl::Inc(impl_->published, impl_->m_published);
  } else {
    Impl::Inc(impl_->dropped, impl_->m_dropped);
  }
  impl_->SyncReceiptMetrics();
}

json EoscDatabus::HealthNode() const {
  impl_->SyncReceiptMetrics();
  if (impl_->client->connected()) return json{{"status", "UP"}};
  std::string error = impl_->client->last_error();
  if (error.empty()) error = "not connected yet";
  return json{{"status", "DOWN"},
              {"error", absl::StrCat("Databus broker ", impl_->options.stomp.host, ":",
                                     impl_->options.stomp.port, " unreachable: ", error)}};
}

EoscDatabus::Counts EoscDatabus::counts() const {
  return Counts{impl_->published, impl_->dropped, impl_->stored, impl_->invalid, impl_->failed};
}

}  // namespace recplat::http::eosc
