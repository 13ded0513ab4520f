// One run of the article_rec batch job (batch_job.h).
#include "frontends/batch/batch_job.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/api/validation.h"
#include "frontends/batch/articles_file.h"

namespace recplat::batch {

namespace {

class StepTimer {
 public:
  StepTimer(std::string name, BatchReport* report, std::ostream* progress)
      : name_(std::move(name)), report_(report), progress_(progress),
        start_(std::chrono::steady_clock::now()) {}
  // Records the step's time and prints its progress line.
  void Done(absl::string_view detail) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    report_->steps.emplace_back(name_, s);
    if (progress_ != nullptr) {
      *progress_ << absl::StreamFormat("article_rec batch: %-16s %8.2fs  %s\n", name_, s, detail);
      progress_->flush();
    }
  }

 private:
  std::string name_;
  BatchReport* report_;
  std::ostream* progress_;
  std::chrono::steady_clock::time_point start_;
};

absl::Status WriteArticles(api::Api& api, const std::vector<Article>& articles,
                           const BatchJobOptions& o, BatchReport* report) {
  v1::UpsertItemsRequest req;
  auto flush = [&]() -> absl::Status {
    if (req.items_size() == 0) {
      return absl::OkStatus();
    }
    absl::StatusOr<v1::UpsertItemsResponse> r = api.UpsertItems(req);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("writing articles: ", r.status().message()));
    }
    report->items_written += req.items_size();
    req.clear_items();
    return absl::OkStatus();
  };
  for (const Article& a : articles) {
    v1::Item* item = req.add_items();
    item->set_tenant(o.tenant);
    item->set_id(absl::StrCat(a.external_id));
    item->set_title(a.title);
    (*item->mutable_categorical_attributes())["path"] = a.path;
    if (a.published_at_ms) {
      item->set_published_at_ms(*a.published_at_ms);
      (*item->mutable_numeric_attributes())["published_at_ms"] =
          static_cast<double>(*a.published_at_ms);
    }
    if (req.items_size() >= o.write_batch) {
      if (absl::Status s = flush(); !s.ok()) {
        return s;
      }
    }
  }
  return flush();
}

absl::Status WriteDwellEvents(api::Api& api, const DwellData& dwell,
                              const std::vector<Article>& articles, const BatchJobOptions& o,
                              BatchReport* report) {
  v1::AppendEventsRequest req;
  auto flush = [&](bool last) -> absl::Status {
    if (req.events_size() == 0) {
      return absl::OkStatus();
    }
    req.set_wait_applied(last);
    absl::StatusOr<v1::AppendEventsResponse> r = api.AppendEvents(req);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("writing dwell events: ", r.status().message()));
    }
    report->events_written += req.events_size();
    req.clear_events();
    return absl::OkStatus();
  };
  for (const DwellRow& row : dwell.rows) {
    v1::Event* e = req.add_events();
    const std::string item = absl::StrCat(articles[row.article].external_id);
    e->set_tenant(o.tenant);
    e->set_user_id(dwell.clients[row.client]);
    e->set_item_id(item);
    e->set_type(o.event_type);
    e->set_value(row.seconds);
    e->set_timestamp_ms(row.time_ms);
    // The same read of a later run (overlapping windows) is not applied twice.
    e->set_event_id(absl::StrCat(o.event_type, ":", item, ":", row.time_ms, ":",
                                 dwell.clients[row.client]).substr(0, 256));
    if (req.events_size() >= o.write_batch) {
      if (absl::Status s = flush(false); !s.ok()) {
        return s;
      }
    }
  }
  return flush(true);
}

absl::Status Train(api::Api& api, const BatchJobOptions& o, const std::string& model,
                   v1::ModelVersion* version) {
  v1::TrainRequest req;
  req.set_tenant(o.tenant);
  req.set_model(model);
  req.set_wait(true);
  absl::StatusOr<v1::TrainResponse> r = api.Train(req);
  if (!r.ok()) {
    return absl::Status(r.status().code(),
                        absl::StrCat("training ", model, ": ", r.status().message()));
  }
  *version = r->version();
  if (version->status() == v1::MODEL_STATUS_FAILED) {
    return absl::InternalError(absl::StrCat("training ", model, " failed (version ",
                                            version->version(), "): ", version->error()));
  }
  return absl::OkStatus();
}

// Records a failed version of `model` (Api::Train with record_failure) for a run that failed
// before training.
absl::Status RecordFailure(api::Api& api, const BatchJobOptions& o, const std::string& model,
                           const absl::Status& cause, v1::ModelVersion* version) {
  v1::TrainRequest req;
  req.set_tenant(o.tenant);
  req.set_model(model);
  req.set_wait(true);
  req.set_record_failure(cause.ToString().substr(0, api::Limits::kMaxFailureBytes));
  absl::StatusOr<v1::TrainResponse> r = api.Train(req);
  if (!r.ok()) {
    return absl::Status(r.status().code(), absl::StrCat("recording the failure of ", model, ": ",
                                                        r.status().message()));
  }
  *version = r->version();
  return absl::OkStatus();
}

// Steps 1-4: the articles file, the S3 window, the preparation and the writes.
absl::Status ReadAndWrite(api::Api& api, const s3::S3Client& client,
                          const BatchJobOptions& options, BatchReport* report,
                          std::ostream* progress) {
  StepTimer articles_step("articles", report, progress);
  absl::StatusOr<std::vector<Article>> articles = ReadArticlesFile(options.articles_file);
  if (!articles.ok()) {
    return articles.status();
  }
  report->articles_in_file = static_cast<int64_t>(articles->size());
  articles_step.Done(absl::StrCat(articles->size(), " articles in ", options.articles_file));

  StepTimer fetch_step("fetch", report, progress);
  PageViewTable views;
  if (absl::Status s = ReadSnowplowWindow(client, options.read, &views, &report->read); !s.ok()) {
    return s;
  }
  const SnowplowReadStats& r = report->read;
  fetch_step.Done(absl::StrCat(r.objects_listed, " objects in ", r.days_listed, " days, ",
                               r.objects_skipped(), " skipped; ", r.decode.lines, " lines, ",
                               r.decode.lines_malformed, " malformed; ", r.decode.rows,
                               " page views"));

  StepTimer prepare_step("prepare", report, progress);
  const DwellData dwell = Preprocess(views, *articles, options.preprocess, &report->preprocess);
  views = PageViewTable();
  const PreprocessStats& p = report->preprocess;
  prepare_step.Done(absl::StrCat(
      p.views, " views -> ", p.after_first_last, " first/last -> ", p.after_newsletter,
      " without newsletters -> ", p.after_flyby, " without flybys -> ", p.after_join,
      " joined -> ", p.after_filter, " filtered -> ", p.dwell_rows, " timed -> ",
      p.after_final_filter, " kept; ", p.articles_kept, " articles, ", p.clients_kept,
      " readers"));

  StepTimer write_step("write", report, progress);
  if (absl::Status s = WriteArticles(api, *articles, options, report); !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteDwellEvents(api, dwell, *articles, options, report); !s.ok()) {
    return s;
  }
  write_step.Done(absl::StrCat(report->items_written, " articles, ", report->events_written,
                               " dwell events"));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunBatchJob(api::Api& api, const s3::S3Client& client,
                         const BatchJobOptions& options, BatchReport* report,
                         std::ostream* progress) {
  if (absl::Status failed = ReadAndWrite(api, client, options, report, progress); !failed.ok()) {
    // Every run leaves one version of each model: failed ones, in the order of a training.
    StepTimer record_step("record_failure", report, progress);
    absl::Status recorded =
        RecordFailure(api, options, options.popularity_model, failed, &report->popularity_version);
    if (recorded.ok()) {
      recorded =
          RecordFailure(api, options, options.article_model, failed, &report->article_version);
    }
    record_step.Done(recorded.ok() ? absl::StrCat("failed versions ",
                                                  report->popularity_version.version(), " and ",
                                                  report->article_version.version())
                                   : std::string(recorded.message()));
    if (!recorded.ok()) {
      return absl::Status(failed.code(), absl::StrCat(failed.message(), "; ", recorded.message()));
    }
    return failed;
  }

  StepTimer popularity_step("train_popularity", report, progress);
  const absl::Status popularity =
      Train(api, options, options.popularity_model, &report->popularity_version);
  popularity_step.Done(popularity.ok()
                           ? absl::StrCat(options.popularity_model, " version ",
                                          report->popularity_version.version())
                           : std::string(popularity.message()));
  StepTimer article_step("train_article", report, progress);
  const absl::Status article = Train(api, options, options.article_model, &report->article_version);
  article_step.Done(article.ok() ? absl::StrCat(options.article_model, " version ",
                                                report->article_version.version())
                                 : std::string(article.message()));
  return popularity.ok() ? article : popularity;
}

std::string BatchMetricsText(const BatchReport& report) {
  std::string out;
  absl::StrAppend(&out, "# TYPE recplat_batch_step_seconds gauge\n");
  for (const auto& [step, seconds] : report.steps) {
    absl::StrAppendFormat(&out, "recplat_batch_step_seconds{step=\"%s\"} %.6f\n", step, seconds);
  }
  const DecodeStats& d = report.read.decode;
  absl::StrAppend(&out, "# TYPE recplat_batch_objects_total counter\n");
  const std::pair<const char*, int64_t> objects[] = {
      {"listed", report.read.objects_listed}, {"decoded", d.objects_decoded},
      {"empty", d.objects_empty},             {"uncompressed", d.objects_uncompressed},
      {"corrupt", d.objects_corrupt},         {"truncated", d.objects_truncated},
      {"too_large", d.objects_too_large},     {"missing", report.read.objects_missing}};
  for (const auto& [result, n] : objects) {
    absl::StrAppendFormat(&out, "recplat_batch_objects_total{result=\"%s\"} %d\n", result, n);
  }
  const PreprocessStats& p = report.preprocess;
  absl::StrAppend(&out, "# TYPE recplat_batch_rows gauge\n");
  const std::pair<const char*, int64_t> rows[] = {
      {"lines", d.lines},
      {"lines_malformed", d.lines_malformed},
      {"without_client", d.rows_without_client},
      {"without_path", d.rows_without_path},
      {"page_views", p.views},
      {"first_last", p.after_first_last},
      {"without_newsletters", p.after_newsletter},
      {"without_flybys", p.after_flyby},
      {"joined", p.after_join},
      {"filtered", p.after_filter},
      {"timed", p.dwell_rows},
      {"kept", p.after_final_filter},
      {"events_written", report.events_written}};
  for (const auto& [stage, n] : rows) {
    absl::StrAppendFormat(&out, "recplat_batch_rows{stage=\"%s\"} %d\n", stage, n);
  }
  absl::StrAppendFormat(&out, "# TYPE recplat_batch_articles_kept gauge\nrecplat_batch_articles_kept %d\n",
                        p.articles_kept);
  absl::StrAppend(&out, "# TYPE recplat_batch_model_version gauge\n");
  for (const v1::ModelVersion* v : {&report.popularity_version, &report.article_version}) {
    if (!v->model().empty()) {
      absl::StrAppendFormat(&out, "recplat_batch_model_version{model=\"%s\",status=\"%s\"} %d\n",
                            v->model(), v1::ModelStatus_Name(v->status()), v->version());
    }
  }
  return out;
}

}  // namespace recplat::batch
