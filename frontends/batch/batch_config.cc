// The batch job's configuration sections (batch_config.h).
#include "frontends/batch/batch_config.h"

#include <memory>

namespace recplat::batch {

void BatchSection::Bind(common::SectionBinder& binder) {
  binder.Int("days_of_data", days_of_data, 1, 3650);
  binder.String("articles_file", articles_file);
  binder.String("prefix", prefix);
  binder.String("tenant", tenant, common::StringFieldOptions::NonEmpty());
  binder.String("event_type", event_type, common::StringFieldOptions::NonEmpty());
  binder.String("article_model", article_model, common::StringFieldOptions::NonEmpty());
  binder.String("popularity_model", popularity_model, common::StringFieldOptions::NonEmpty());
  binder.Int("max_dwell_seconds", max_dwell_seconds, 1, 86400);
  binder.Int("min_reader_seconds", min_reader_seconds, 0, 86400);
  binder.Int("fetch_threads", fetch_threads, 1, 64);
  binder.Int("write_batch", write_batch, 1, 10000);
}

void S3Section::Bind(common::SectionBinder& binder) {
  binder.String("endpoint", endpoint);
  binder.String("bucket", bucket);
  binder.String("region", region);
  binder.Bool("path_style", path_style);
  binder.Int("max_attempts", max_attempts, 1, 20);
  binder.String("ca_file", ca_file);
}

common::FrontendRegistration BatchRegistration() {
  common::FrontendRegistration r;
  r.name = kBatchSectionName;
  r.make_section = [] { return std::make_unique<BatchSection>(); };
  return r;
}

common::FrontendRegistration S3Registration() {
  common::FrontendRegistration r;
  r.name = kS3SectionName;
  r.make_section = [] { return std::make_unique<S3Section>(); };
  return r;
}

}  // namespace recplat::batch
