// SimBackend: one simulated step — every user refreshes: the assigned recsystems are asked to
// recommend, the lists are interleaved (or shown separately), the user reacts (user_model.h),
// and the interactions are recorded, notified and credited. See sim_backend.h.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "tools/renewal_sim/interleaving.h"
#include "tools/renewal_sim/internal/sim_impl.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;
using Peer = std::shared_ptr<RpcPeer>;

// SplitMix64 finaliser: decorrelates nearby seeds.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Sends `params` to every peer concurrently and waits (at most `timeout` in all) for the
// answers; a missing answer is DEADLINE_EXCEEDED.
std::vector<absl::StatusOr<json>> AskAll(const std::vector<Peer>& peers, const json& params,
                                         absl::Duration timeout) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<absl::StatusOr<json>>> answers;
    size_t remaining = 0;
  };
  auto shared = std::make_shared<Shared>();
  shared->answers.resize(peers.size());
  shared->remaining = peers.size();
  for (size_t i = 0; i < peers.size(); ++i) {
    peers[i]->CallAsync("recommend", params, [shared, i](absl::StatusOr<json> answer) {
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->answers[i] = std::move(answer);
      --shared->remaining;
      shared->cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [&] { return shared->remaining == 0; });
  std::vector<absl::StatusOr<json>> out;
  for (auto& a : shared->answers) {
    out.push_back(a.has_value() ? *a : absl::DeadlineExceededError("recommend timed out"));
  }
  return out;
}

}  // namespace

void SimBackend::Impl::StepOnce() {
  std::lock_guard<std::mutex> step_lock(step_mu);
  int64_t current;
  absl::Time now;
  std::vector<Assignments::Change> rotation;
  {
    std::lock_guard<std::mutex> lock(mu);
    current = step;
    now = clock;
    if (options.rotate_every > 0 && current > 0 && current % options.rotate_every == 0) {
      rotation = assignments.Rotate();
    }
  }
  SendAssignmentChanges(rotation);
  for (size_t u = 0; u < data.users.size(); ++u) RefreshUser(u, current, now);
  std::lock_guard<std::mutex> lock(mu);
  ++step;
  clock += options.step_duration;
}

void SimBackend::Impl::RefreshUser(size_t user_index, int64_t current, absl::Time now) {
  const SimUser& user = data.users[user_index];
  std::vector<std::string> subs;
  std::vector<Peer> peers;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (size_t r : assignments.RecsystemsOf(user_index)) {
      const std::string& sub = assignments.recsystems()[r];
      auto it = sessions.find(sub);
      if (greeted.contains(sub) && it != sessions.end()) {
        subs.push_back(sub);
        peers.push_back(it->second);
      }
    }
  }
  if (peers.empty()) return;
  std::mt19937_64 rng(Mix(options.seed ^ Mix(static_cast<uint64_t>(current) * 1000003ULL +
                                             static_cast<uint64_t>(user_index))));
  json params = options.style == RecommendStyle::k2021
                    ? json{{"user_id", user.user_id},
                           {"min_articles", options.min_articles},
                           {"max_articles", options.max_articles}}
                    : json{{"user_id", user.user_id},
                           {"limit", options.max_articles},
                           {"since_id", nullptr},
                           {"max_id", nullptr}};
  std::vector<absl::StatusOr<json>> answers = AskAll(peers, params, options.call_timeout);

  // Valid lists: known (released) ids, no repeats, at most max_articles, at least min_articles.
  std::vector<size_t> teams;  // index into subs/peers of each valid list
  std::vector<std::vector<int64_t>> lists;
  std::vector<bool> failed(peers.size(), false), discarded(peers.size(), false);
  for (size_t i = 0; i < answers.size(); ++i) {
    const absl::StatusOr<json>& a = answers[i];
    if (!a.ok() || !a->is_array()) {
      failed[i] = true;
      continue;
    }
    std::vector<int64_t> ids;
    std::set<int64_t> seen;
    for (const json& v : *a) {
      if (static_cast<int64_t>(ids.size()) >= options.max_articles) break;
      if (!v.is_number_integer()) continue;
      const int64_t id = v.get<int64_t>();
      if (store.Contains(id) && seen.insert(id).second) ids.push_back(id);
    }
    if (static_cast<int64_t>(ids.size()) < options.min_articles || ids.empty()) {
      discarded[i] = true;
      continue;
    }
    teams.push_back(i);
    lists.push_back(std::move(ids));
  }

  // What the user is shown: one interleaved list, or each list on its own.
  struct Shown {
    Interleaving list;          // team = index into `teams`
    std::vector<Peer> targets;  // who is told about the interactions
    bool contest = false;
  };
  std::vector<Shown> shows;
  if (options.mode == ShowMode::kInterleaved && !lists.empty()) {
    Shown show;
    if (lists.size() >= 2) {
      show.list = TeamDraft(lists, options.shown, rng);
      show.contest = true;
    } else {
      for (size_t k = 0; k < lists[0].size() && k < options.shown; ++k) {
        show.list.ids.push_back(lists[0][k]);
        show.list.team.push_back(0);
      }
    }
    show.targets = GreetedPeers();
    shows.push_back(std::move(show));
  } else if (options.mode == ShowMode::kSeparate) {
    std::vector<size_t> order(lists.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t t : order) {
      Shown show;
      for (size_t k = 0; k < lists[t].size() && k < options.shown; ++k) {
        show.list.ids.push_back(lists[t][k]);
        show.list.team.push_back(t);
      }
      show.targets = {peers[teams[t]]};
      shows.push_back(std::move(show));
    }
  }

  std::vector<RecsystemStats> delta(peers.size());
  std::vector<std::vector<int64_t>> contests;  // credited clicks per team, per contest
  for (const Shown& show : shows) {
    std::vector<UserModel::Shown> seen;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (int64_t id : show.list.ids) {
        const size_t index = static_cast<size_t>(id - 1);
        seen.push_back(
            {&data.articles[index], now - published[index], store.Clicked(user.user_id, id)});
      }
    }
    const std::vector<UserModel::Reaction> reactions = model.React(user, seen, rng);
    auto record = [&](int64_t id, const json& fields) {
      absl::StatusOr<json> payload = store.Interact(user.user_id, id, fields, now);
      if (!payload.ok()) return;
      for (const Peer& peer : show.targets) {
        peer->Notify("article_interaction", {{"interaction", *payload}});
      }
    };
    for (size_t k = 0; k < show.list.ids.size(); ++k) {
      record(show.list.ids[k], json{{"recommended", true}});
      ++delta[teams[show.list.team[k]]].shown;
    }
    std::vector<size_t> positions;
    for (const UserModel::Reaction& r : reactions) {
      const int64_t id = show.list.ids[r.position];
      RecsystemStats& st = delta[teams[show.list.team[r.position]]];
      positions.push_back(r.position);
      record(id, json{{"clicked", true}});
      ++st.clicks;
      if (r.rating != 0) {
        record(id, json{{"rating", r.rating}, {"prev_rating", store.Rating(user.user_id, id)}});
        ++(r.rating > 0 ? st.likes : st.dislikes);
      }
      if (r.bookmarked) {
        record(id, json{{"bookmarked", true}});
        ++st.bookmarks;
      }
    }
    if (show.contest) contests.push_back(CreditClicks(show.list, positions, lists.size()));
  }

  std::lock_guard<std::mutex> lock(mu);
  for (size_t i = 0; i < peers.size(); ++i) {
    RecsystemStats& st = stats[subs[i]];
    ++st.recommend_calls;
    st.failed_calls += failed[i] ? 1 : 0;
    st.discarded += discarded[i] ? 1 : 0;
    st.shown += delta[i].shown;
    st.clicks += delta[i].clicks;
    st.likes += delta[i].likes;
    st.dislikes += delta[i].dislikes;
    st.bookmarks += delta[i].bookmarks;
  }
  for (const std::vector<int64_t>& credited : contests) {
    const int64_t total = std::accumulate(credited.begin(), credited.end(), int64_t{0});
    const std::vector<std::vector<int>> outcome = PairwiseOutcome(credited);
    for (size_t a = 0; a < credited.size(); ++a) {
      RecsystemStats& st = stats[subs[teams[a]]];
      ++st.contests;
      for (size_t b = 0; b < credited.size(); ++b) {
        if (a == b || total == 0) continue;
        ++(outcome[a][b] > 0 ? st.wins : outcome[a][b] < 0 ? st.losses : st.ties);
      }
      for (size_t b = a + 1; b < credited.size(); ++b) {
        const std::string& x = subs[teams[a]];
        const std::string& y = subs[teams[b]];
        const bool in_order = x < y;
        PairStats& pair = pairs[in_order ? std::pair{x, y} : std::pair{y, x}];
        if (total == 0) {
          ++pair.no_clicks;
        } else if (outcome[a][b] == 0) {
          ++pair.ties;
        } else {
          ++((outcome[a][b] > 0) == in_order ? pair.first_wins : pair.second_wins);
        }
      }
    }
  }
}

}  // namespace recplat::renewal_sim
