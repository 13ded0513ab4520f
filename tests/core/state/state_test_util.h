// File: state_test_util.h
//
// A fixture over a RocksDB state store in a temporary directory, with builders of log records
// (items, events, shop entities, counters) applied at increasing offsets.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/state/state_store.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::state::test {

inline constexpr int64_t kT0 = 1'700'000'000'000;
inline constexpr int64_t kHour = 3600 * 1000;

class StateFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // (Re)opens the store on the same directory with `retention`.
  void Reopen(RetentionOptions retention = {}) {
    store_.reset();
    StateStoreOptions options;
    options.path = (dir_.path() / "state").string();
    options.clock = &clock_;
    options.retention = retention;
    options.recorded_event_types = recorded_event_types_;
    auto s = OpenRocksDbStateStore(options);
    ASSERT_OK(s);
    store_ = std::move(s).value();
  }

  v1::LogRecord Record() const {
    v1::LogRecord r;
    r.set_appended_at_ms(clock_.NowMs());
    return r;
  }

  v1::LogRecord Item(const std::string& id, int64_t published_at_ms = 0,
                     const std::string& tenant = "default") const {
    v1::LogRecord r = Record();
    r.mutable_item_upsert()->set_id(id);
    r.mutable_item_upsert()->set_tenant(tenant);
    r.mutable_item_upsert()->set_published_at_ms(published_at_ms);
    return r;
  }

  v1::LogRecord Delete(const std::string& id, const std::string& tenant = "default") const {
    v1::LogRecord r = Record();
    r.mutable_item_delete()->set_id(id);
    r.mutable_item_delete()->set_tenant(tenant);
    return r;
  }

  v1::LogRecord Event(const std::string& user, const std::string& item,
                      const std::string& event_id = "", const std::string& type = "view",
                      const std::string& tenant = "default") const {
    v1::LogRecord r = Record();
    v1::Event* e = r.mutable_event();
    e->set_tenant(tenant);
    e->set_user_id(user);
    e->set_item_id(item);
    e->set_type(type);
    e->set_timestamp_ms(clock_.NowMs());
    e->set_event_id(event_id);
    return r;
  }

  v1::LogRecord Counter(const std::string& item, const std::string& name, double add,
                        std::optional<double> set = std::nullopt,
                        const std::string& tenant = "default") const {
    v1::LogRecord r = Record();
    v1::CounterUpdate* c = r.mutable_counter();
    c->set_tenant(tenant);
    c->set_item_id(item);
    c->set_name(name);
    c->set_add(add);
    if (set.has_value()) c->set_set(*set);
    return r;
  }

  v1::LogRecord Shop(v1::ShopEntity entity, const std::string& tenant = "default") const {
    v1::LogRecord r = Record();
    entity.set_tenant(tenant);
    *r.mutable_shop_entity() = std::move(entity);
    return r;
  }

  v1::LogRecord Doc(const std::string& collection, const std::string& key,
                    const std::string& body) const {
    v1::LogRecord r = Record();
    v1::Document* d = r.mutable_document_put();
    d->set_tenant("default");
    d->set_collection(collection);
    d->set_key(key);
    d->set_body(body);
    return r;
  }

  // Applies `records` in one batch at the next offsets.
  absl::Status ApplyAll(std::vector<v1::LogRecord> records, ApplyReport* report = nullptr) {
    std::deque<v1::LogRecord> keep(records.begin(), records.end());
    std::vector<OffsetRecord> batch;
    for (auto& r : keep) batch.push_back({next_offset_++, &r});
    return store_->Apply(batch, report);
  }

  // Whether GetItem finds the item (live or not).
  bool Found(const std::string& id, const std::string& tenant = "default") const {
    return store_->GetItem(tenant, id).ok();
  }

  // Ids of the live items of `tenant`, in index order.
  std::vector<std::string> LiveIds(const std::string& tenant = "default") const {
    std::vector<std::string> ids;
    const catalog::Catalog* cat = store_->FindCatalog(tenant);
    if (cat == nullptr) return ids;
    auto r = cat->Read();
    for (uint32_t i = 0; i < r.size(); ++i) {
      if (r.Meta(i).live) ids.push_back(r.Id(i));
    }
    return ids;
  }

  recplat::testing::TempDir dir_;
  recplat::testing::FakeClock clock_{kT0};
  // StateStoreOptions::recorded_event_types of the next Reopen().
  std::set<std::string> recorded_event_types_;
  std::unique_ptr<StateStore> store_;
  uint64_t next_offset_ = 0;
};

}  // namespace recplat::state::test
