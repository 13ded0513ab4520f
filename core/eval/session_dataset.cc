#include "core/eval/session_dataset.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace recplat::eval {
namespace {

// Keeps the clicks of `s` for which keep(item) holds.
template <typename Keep>
void FilterClicks(RawSession* s, Keep keep) {
  size_t out = 0;
  for (size_t i = 0; i < s->items.size(); ++i) {
    if (keep(s->items[i])) {
      if (out != i) {  // A self-move would empty the string.
        s->items[out] = std::move(s->items[i]);
        s->timestamps_ms[out] = s->timestamps_ms[i];
      }
      ++out;
    }
  }
  s->items.resize(out);
  s->timestamps_ms.resize(out);
}

}  // namespace

absl::StatusOr<SessionDataset> BuildSessionDataset(const std::vector<RawSession>& train,
                                                   const std::vector<RawSession>& test) {
  SessionDataset ds;
  models::TrainingData& d = ds.train;
  d.event_types = {"interaction"};
  d.event_type_weights = {1.0f};
  absl::flat_hash_map<std::string, uint32_t> item_index;
  int64_t now_ms = std::numeric_limits<int64_t>::min();
  for (const RawSession& s : train) {
    if (s.items.empty()) {
      continue;
    }
    const uint32_t user = static_cast<uint32_t>(d.user_ids.size());
    d.user_ids.push_back(s.id);
    for (size_t i = 0; i < s.items.size(); ++i) {
      auto [it, inserted] =
          item_index.try_emplace(s.items[i], static_cast<uint32_t>(d.item_ids.size()));
      if (inserted) {
        d.item_ids.push_back(s.items[i]);
        models::ItemInfo info;
        info.published_at_ms = s.timestamps_ms[i];
        d.items.push_back(std::move(info));
      }
      models::ItemInfo& info = d.items[it->second];
      info.published_at_ms = std::min(info.published_at_ms, s.timestamps_ms[i]);
      models::Interaction x;
      x.user = user;
      x.item = it->second;
      x.timestamp_ms = s.timestamps_ms[i];
      d.interactions.push_back(x);
      now_ms = std::max(now_ms, x.timestamp_ms);
    }
  }
  if (d.interactions.empty()) {
    return absl::InvalidArgumentError("the train sessions have no click");
  }
  d.num_users = static_cast<uint32_t>(d.user_ids.size());
  d.num_items = static_cast<uint32_t>(d.item_ids.size());
  d.now_ms = now_ms;
  // Sessions are time-ordered already (session_file.h); this keeps the TrainingData contract
  // for any caller-made RawSession too. Stable: equal timestamps keep their order.
  std::stable_sort(d.interactions.begin(), d.interactions.end(),
                   [](const models::Interaction& a, const models::Interaction& b) {
                     return a.user != b.user ? a.user < b.user : a.timestamp_ms < b.timestamp_ms;
                   });

  ds.test.reserve(test.size());
  for (const RawSession& s : test) {
    TestSession t;
    t.id = s.id;
    t.timestamps_ms = s.timestamps_ms;
    t.items.reserve(s.items.size());
    for (const std::string& item : s.items) {
      auto it = item_index.find(item);
      t.items.push_back(it == item_index.end() ? kNotInTrain : it->second);
    }
    ds.test_clicks += static_cast<int64_t>(t.items.size());
    ds.test.push_back(std::move(t));
  }
  return ds;
}

absl::StatusOr<SessionSplit> SplitSessionsByDays(std::vector<RawSession> sessions,
                                                 const SessionSplitOptions& options) {
  if (options.test_days < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("test_days must be >= 1, got ", options.test_days));
  }
  if (options.min_item_support < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_item_support must be >= 1, got ", options.min_item_support));
  }
  SessionSplit out;
  SessionSplitStats& st = out.stats;
  st.sessions_read = static_cast<int64_t>(sessions.size());
  // 1. Length-1 sessions.
  std::erase_if(sessions, [&](const RawSession& s) {
    const bool drop = s.items.size() < 2;
    st.sessions_length_one += drop ? 1 : 0;
    return drop;
  });
  // 2. Rare items, counted once over the sessions left by step 1.
  absl::flat_hash_map<std::string, int64_t> clicks;
  for (const RawSession& s : sessions) {
    for (const std::string& item : s.items) {
      ++clicks[item];
    }
  }
  for (const auto& [item, n] : clicks) {
    st.rare_items += n < options.min_item_support ? 1 : 0;
  }
  for (RawSession& s : sessions) {
    FilterClicks(
        &s, [&](const std::string& item) { return clicks.at(item) >= options.min_item_support; });
  }
  std::erase_if(sessions, [&](const RawSession& s) {
    const bool drop = s.items.size() < 2;
    st.sessions_short_after_item_filter += drop ? 1 : 0;
    return drop;
  });
  if (sessions.empty()) {
    return absl::InvalidArgumentError(
        "no session is left after dropping length-1 sessions and rare items");
  }
  // 3. By date.
  st.last_day = sessions.front().day;
  for (const RawSession& s : sessions) {
    st.last_day = std::max(st.last_day, s.day);
  }
  st.split_day = st.last_day - options.test_days;
  absl::flat_hash_set<std::string> train_items;
  for (RawSession& s : sessions) {
    if (s.day > st.split_day) {
      out.test.push_back(std::move(s));
    } else {
      train_items.insert(s.items.begin(), s.items.end());
      out.train.push_back(std::move(s));
    }
  }
  if (out.train.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the split by the last ", options.test_days,
                                                   " days leaves no train session (all ",
                                                   out.test.size(), " sessions are within them)"));
  }
  // 4. Test clicks on items the train set lacks.
  for (RawSession& s : out.test) {
    const size_t before = s.items.size();
    FilterClicks(&s, [&](const std::string& item) { return train_items.contains(item); });
    st.test_clicks_not_in_train += static_cast<int64_t>(before - s.items.size());
  }
  std::erase_if(out.test, [&](const RawSession& s) {
    const bool drop = s.items.size() < 2;
    st.test_sessions_dropped += drop ? 1 : 0;
    return drop;
  });
  if (out.test.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the split by the last ", options.test_days, " days leaves no test session of length >= 2 ",
        "after removing the test clicks on items absent from the ", out.train.size(),
        " train sessions"));
  }
  return out;
}

}  // namespace recplat::eval
