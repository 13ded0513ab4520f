#include "core/ingest/materializer.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "recplat/v1/log_record.pb.h"

namespace recplat::ingest {

Materializer::Materializer(log::EventLog& log, state::StateStore& state,
                           MaterializerOptions options)
    : log_(log), state_(state), options_(options) {
  absl::MutexLock lock(&mu_);
  applied_ = state_.AppliedOffset();
}

Materializer::~Materializer() { Stop(); }

void Materializer::AddListener(Listener listener) { listeners_.push_back(std::move(listener)); }

uint64_t Materializer::AppliedOffset() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

uint64_t Materializer::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

bool Materializer::WaitApplied(uint64_t end_offset, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, end_offset]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return applied_ >= end_offset;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

absl::Status Materializer::ApplyOnce(bool* applied_any) {
  *applied_any = false;
  const uint64_t from = state_.AppliedOffset();
  std::deque<v1::LogRecord> records;
  std::vector<state::OffsetRecord> batch;
  AppliedBatch info;
  info.first_offset = from;
  absl::Status read = log_.Read(
      from, options_.batch_size, [&](uint64_t offset, absl::string_view bytes) -> absl::Status {
        v1::LogRecord& r = records.emplace_back();
        if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
          // A record the log stored but that does not decode cannot be applied; skipping it
          // keeps the materializer from stalling forever. It is reported loudly.
          RECPLAT_LOG(Error, "skipping undecodable log record", {{"offset", offset}});
          ++info.corrupt_records;
          r.Clear();
        } else if (r.has_item_upsert()) {
          ++info.catalog_writes_by_tenant[r.item_upsert().tenant()];
          ++info.item_writes_by_tenant[r.item_upsert().tenant()];
        } else if (r.has_item_delete()) {
          ++info.catalog_writes_by_tenant[r.item_delete().tenant()];
          ++info.item_writes_by_tenant[r.item_delete().tenant()];
        } else if (r.has_shop_entity()) {
          ++info.item_writes_by_tenant[r.shop_entity().tenant()];
        } else if (r.has_user_upsert()) {
          ++info.catalog_writes_by_tenant[r.user_upsert().tenant()];
        }
        batch.push_back({offset, &r});
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  if (batch.empty()) return absl::OkStatus();
  state::ApplyReport report;
  absl::Status applied = state_.Apply(batch, &report);
  if (!applied.ok()) return applied;
  // Offsets below the state's applied offset were skipped by Apply(): only what it applied
  // counts (the report), so a listener never sees an event twice.
  for (const auto& [tenant, t] : report.tenants) {
    for (const auto& [type, count] : t.events_by_type) {
      info.events_by_tenant[tenant] += count;
      info.events_by_tenant_type[tenant][type] += count;
    }
    if (t.duplicate_events > 0) info.duplicate_events_by_tenant[tenant] = t.duplicate_events;
  }
  info.end_offset = batch.back().offset + 1;
  {
    absl::MutexLock lock(&mu_);
    applied_ = std::max(applied_, info.end_offset);
  }
  for (const Listener& l : listeners_) l(info);
  *applied_any = true;
  return absl::OkStatus();
}

absl::Status Materializer::CatchUp() {
  const uint64_t target = log_.NextOffset();
  while (state_.AppliedOffset() < target) {
    bool any = false;
    absl::Status s = ApplyOnce(&any);
    if (!s.ok()) return s;
    if (!any) {
      return absl::DataLossError(absl::StrCat("event log ends before offset ", target,
                                              " (applied up to ", state_.AppliedOffset(), ")"));
    }
  }
  return absl::OkStatus();
}

void Materializer::Start() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void Materializer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Materializer::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    bool any = false;
    absl::Status s = ApplyOnce(&any);
    if (!s.ok()) {
      {
        absl::MutexLock lock(&mu_);
        ++failures_;
      }
      RECPLAT_LOG(Error, "materializer apply failed; retrying",
                  {{"error", s.ToString()}, {"backoff_ms", absl::ToInt64Milliseconds(backoff)}});
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
      continue;
    }
    backoff = absl::Milliseconds(50);
    if (!any) log_.WaitForOffset(state_.AppliedOffset(), absl::Milliseconds(100));
  }
}

}  // namespace recplat::ingest
