#include "frontends/http_rest/eosc/eosc_config.h"

#include <memory>

namespace recplat::http::eosc {

void EoscSection::Bind(common::SectionBinder& binder) {
  binder.String("tenant", tenant, common::StringFieldOptions::NonEmpty());
  binder.String("surface", surface, common::StringFieldOptions::NonEmpty());
  binder.String("default_engine", default_engine, common::StringFieldOptions::NonEmpty());
  binder.StringList("engines", engines, {});
  binder.String("random_engine", random_engine, common::StringFieldOptions::NonEmpty());
  binder.StringList("train_models", train_models, {});
  binder.Bool("databus_enabled", databus_enabled);
  binder.String("databus_host", databus_host, common::StringFieldOptions::NonEmpty());
  binder.Int("databus_port", databus_port, 1, 65535);
  binder.String("databus_virtual_host", databus_virtual_host);
  binder.String("databus_login", databus_login);
  binder.String("databus_passcode", databus_passcode, common::StringFieldOptions::Secret());
  binder.String("databus_publish_topic", databus_publish_topic,
                common::StringFieldOptions::NonEmpty());
  binder.String("databus_subscription_topic", databus_subscription_topic);
  binder.String("databus_ack", databus_ack,
                common::StringFieldOptions::OneOf({"auto", "client-individual"}));
  binder.Bool("databus_tls", databus_tls);
  binder.String("databus_tls_ca_file", databus_tls_ca_file);
  binder.String("databus_tls_server_name", databus_tls_server_name);
  binder.Int("databus_heartbeat_ms", databus_heartbeat_ms, 0, 3600000);
  binder.Int("databus_queue", databus_queue, 1, 1000000);
}

common::FrontendRegistration EoscRegistration() {
  common::FrontendRegistration r;
  r.name = kEoscFrontendName;
  r.make_section = [] { return std::make_unique<EoscSection>(); };
  r.mounts_on_http = true;
  // The 2024 original's variables for the databus topics.
  r.env_aliases = {{"RS_DATABUS_PUBLISH_TOPIC", "eosc.databus_publish_topic"},
                   {"RS_DATABUS_SUBSCRIPTION_TOPIC", "eosc.databus_subscription_topic"}};
  return r;
}

}  // namespace recplat::http::eosc
