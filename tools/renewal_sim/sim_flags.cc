#include "tools/renewal_sim/sim_flags.h"

#include <functional>
#include <limits>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace recplat::renewal_sim {
namespace {

using Handler = std::function<absl::Status(const std::string& value)>;

absl::Status Bad(const std::string& flag, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", why));
}

// Integer flag in [lo, hi] stored into `out` (any integer type).
template <typename T>
Handler Int(const std::string& flag, T* out, int64_t lo, int64_t hi) {
  return [=](const std::string& value) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(value, &v) || v < lo || v > hi) {
      return Bad(flag,
                 absl::StrCat("expected an integer in [", lo, ", ", hi, "], got '", value, "'"));
    }
    *out = static_cast<T>(v);
    return absl::OkStatus();
  };
}

Handler Real(const std::string& flag, double* out, double lo, double hi) {
  return [=](const std::string& value) {
    double v = 0;
    if (!absl::SimpleAtod(value, &v) || !(v >= lo && v <= hi)) {
      return Bad(flag,
                 absl::StrCat("expected a number in [", lo, ", ", hi, "], got '", value, "'"));
    }
    *out = v;
    return absl::OkStatus();
  };
}

Handler Text(std::string* out) {
  return [=](const std::string& value) {
    *out = value;
    return absl::OkStatus();
  };
}

constexpr int64_t kMax = std::numeric_limits<int32_t>::max();

std::map<std::string, Handler> RunFlags(RunConfig& c, std::vector<std::string>& subs,
                                        double& half_life_hours, int64_t& step_minutes,
                                        int64_t& interval_ms, int64_t& timeout_ms) {
  SimOptions& s = c.sim;
  UserModelOptions& m = s.user_model;
  std::map<std::string, Handler> f;
  f["--data"] = Text(&c.data_dir);
  f["--port"] = Int("--port", &s.port, 0, 65535);
  f["--secret"] = Text(&s.secret);
  f["--tls-cert"] = Text(&c.tls_cert_file);
  f["--tls-key"] = Text(&c.tls_key_file);
  f["--sub"] = [&subs](const std::string& v) {
    if (v.empty()) return Bad("--sub", "empty name");
    subs.push_back(v);
    return absl::OkStatus();
  };
  f["--users"] = Int("--users", &c.load.max_users, 0, kMax);
  f["--articles"] = Int("--articles", &c.load.max_articles, 0, kMax);
  f["--min-clicks"] = Int("--min-clicks", &c.load.min_clicks, 0, kMax);
  f["--initial"] = Int("--initial", &s.initial_articles, 0, kMax);
  f["--release"] = Int("--release", &s.release_per_step, 0, kMax);
  f["--steps"] = Int("--steps", &c.steps, 0, kMax);
  f["--step-minutes"] = Int("--step-minutes", &step_minutes, 1, kMax);
  f["--mode"] = [&s](const std::string& v) {
    if (v == "interleaved") {
      s.mode = ShowMode::kInterleaved;
    } else if (v == "separate") {
      s.mode = ShowMode::kSeparate;
    } else {
      return Bad("--mode", "expected interleaved or separate");
    }
    return absl::OkStatus();
  };
  f["--style"] = [&s](const std::string& v) {
    if (v == "2021") {
      s.style = RecommendStyle::k2021;
    } else if (v == "2020") {
      s.style = RecommendStyle::k2020;
    } else {
      return Bad("--style", "expected 2021 (min/max_articles) or 2020 (limit/since_id/max_id)");
    }
    return absl::OkStatus();
  };
  f["--min-articles"] = Int("--min-articles", &s.min_articles, 0, kMax);
  f["--max-articles"] = Int("--max-articles", &s.max_articles, 1, kMax);
  f["--shown"] = Int("--shown", &s.shown, 1, kMax);
  f["--recsystems-per-user"] = Int("--recsystems-per-user", &s.recsystems_per_user, 0, kMax);
  f["--rotate-every"] = Int("--rotate-every", &s.rotate_every, 0, kMax);
  f["--half-life-hours"] = Real("--half-life-hours", &half_life_hours, 0, 1e6);
  f["--click-scale"] = Real("--click-scale", &m.click_scale, 0, 1e3);
  f["--subcategory-weight"] = Real("--subcategory-weight", &m.subcategory_weight, 0, 1);
  f["--rate-probability"] = Real("--rate-probability", &m.rate_probability, 0, 1);
  f["--bookmark-probability"] = Real("--bookmark-probability", &m.bookmark_probability, 0, 1);
  f["--seed"] = Int("--seed", &s.seed, 0, std::numeric_limits<int64_t>::max());
  f["--step-interval-ms"] = Int("--step-interval-ms", &interval_ms, 0, kMax);
  f["--call-timeout-ms"] = Int("--call-timeout-ms", &timeout_ms, 1, kMax);
  f["--wait-seconds"] = Int("--wait-seconds", &c.wait_seconds, 0, kMax);
  f["--linger-seconds"] = Int("--linger-seconds", &c.linger_seconds, 0, kMax);
  return f;
}

std::map<std::string, Handler> TriggerFlags(TriggerConfig& c, std::string& params,
                                            int64_t& timeout_s) {
  std::map<std::string, Handler> f;
  f["--api-base-uri"] = Text(&c.request.api_base_uri);
  f["--token"] = Text(&c.request.token);
  f["--secret"] = Text(&c.secret);
  f["--sub"] = Text(&c.sub);
  f["--method"] = Text(&c.request.method);
  f["--params"] = Text(&params);
  f["--ca-file"] = Text(&c.request.ca_file);
  f["--timeout-seconds"] = Int("--timeout-seconds", &timeout_s, 1, 3600);
  return f;
}

// Applies `args` (from index `first`) to the flag table; `switches` are flags without value.
absl::Status Apply(const std::vector<std::string>& args, size_t first,
                   const std::map<std::string, Handler>& flags,
                   const std::map<std::string, std::function<void()>>& switches) {
  for (size_t i = first; i < args.size(); ++i) {
    std::string flag = args[i], value;
    bool has_value = false;
    if (const size_t eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    if (auto s = switches.find(flag); s != switches.end() && !has_value) {
      s->second();
      continue;
    }
    auto it = flags.find(flag);
    if (it == flags.end()) return Bad(flag, "unknown flag");
    if (!has_value) {
      if (i + 1 >= args.size()) return Bad(flag, "missing value");
      value = args[++i];
    }
    if (absl::Status s = it->second(value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Command> ParseCommandLine(const std::vector<std::string>& args) {
  Command cmd;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      cmd.kind = Command::Kind::kHelp;
      return cmd;
    }
  }
  size_t first = 0;
  if (!args.empty() && args[0] == "trigger") {
    cmd.kind = Command::Kind::kTrigger;
    first = 1;
  } else if (!args.empty() && args[0] == "run") {
    first = 1;
  }
  if (cmd.kind == Command::Kind::kTrigger) {
    TriggerConfig& t = cmd.trigger;
    t.request.api_base_uri = "http://127.0.0.1:8080/v1/";
    std::string params;
    int64_t timeout_s = 15;
    const absl::Status s = Apply(args, first, TriggerFlags(t, params, timeout_s),
                                 {{"--insecure", [&t] { t.request.insecure_skip_verify = true; }}});
    if (!s.ok()) return s;
    t.request.timeout = absl::Seconds(timeout_s);
    if (!ValidMethodName(t.request.method)) {
      return Bad("--method", "required: a JSON-RPC method name such as recommend or ping");
    }
    if (!params.empty()) {
      t.request.params = nlohmann::json::parse(params, nullptr, /*allow_exceptions=*/false);
      if (!t.request.params.is_object()) return Bad("--params", "expected a JSON object");
    }
    if (t.request.token.empty() && (t.secret.empty() || t.sub.empty())) {
      return Bad("--token", "give --token, or --secret and --sub to sign one");
    }
    return cmd;
  }
  RunConfig& r = cmd.run;
  std::vector<std::string> subs;
  double half_life_hours = 24;
  int64_t step_minutes = 60, interval_ms = 0, timeout_ms = 2000;
  const absl::Status s =
      Apply(args, first, RunFlags(r, subs, half_life_hours, step_minutes, interval_ms, timeout_ms),
            {{"--no-seed-history", [&r] { r.sim.seed_history = false; }}});
  if (!s.ok()) return s;
  r.sim.recsystems = subs.empty() ? std::vector<std::string>{"recsystem-1"} : subs;
  r.sim.user_model.freshness_half_life = absl::Hours(half_life_hours);
  r.sim.step_duration = absl::Minutes(step_minutes);
  r.sim.step_interval = absl::Milliseconds(interval_ms);
  r.sim.call_timeout = absl::Milliseconds(timeout_ms);
  if (r.tls_cert_file.empty() != r.tls_key_file.empty()) {
    return Bad("--tls-cert", "give both --tls-cert and --tls-key");
  }
  if (r.sim.min_articles > r.sim.max_articles) {
    return Bad("--min-articles", "must not exceed --max-articles");
  }
  return cmd;
}

std::string Usage() {
  return R"(usage: renewal-sim [run] [flags]       simulate the Renewal backend on 127.0.0.1
       renewal-sim trigger [flags]     the test utility: call a method on your recsystem

run flags (defaults in brackets):
  --data DIR               MIND-format news.tsv + behaviors.tsv [../shared/datasets/mind-small-sample]
  --port N                 listen port, 0 = any free one [0]
  --secret S               HS256 secret of the bearer tokens [renewal-sim-secret]
  --tls-cert FILE --tls-key FILE
                           serve https/wss with this PEM certificate chain and key
  --sub NAME               a recsystem to print a token for and wait for (repeatable)
                           [recsystem-1]; others may connect with a valid token
  --users N                simulated users (0 = all with enough known clicks) [50]
  --min-clicks N           known MIND clicks a user needs [3]
  --articles N             news read from news.tsv (0 = all) [0]
  --initial N              articles released before the start [100]
  --release N              articles released per step [5]
  --steps N                refresh rounds (every user refreshes once per step) [5]
  --step-minutes N         simulated minutes per step [60]
  --mode interleaved|separate
                           merge the lists of a user's recsystems by team-draft
                           interleaving, or show each list on its own [interleaved]
  --style 2021|2020        recommend params: user_id,min_articles,max_articles or
                           user_id,limit,since_id,max_id [2021]
  --min-articles N         shorter lists are discarded [5]
  --max-articles N         asked for (max_articles or limit) and kept at most [20]
  --shown N                articles shown to the user per refresh [10]
  --recsystems-per-user N  recsystems assigned to each user, 0 = all [0]
  --rotate-every N         rotate the assignments every N steps, 0 = never [0]
  --no-seed-history        do not record the users' MIND clicks on initial articles
  --half-life-hours X      freshness half-life of article appeal, 0 = off [24]
  --click-scale X          scale of the click probability [1]
  --subcategory-weight X   share of subcategory vs category interest [0.5]
  --rate-probability X     P(rating | click) [0.2]
  --bookmark-probability X base P(bookmark | click) [0.1]
  --seed N                 random seed [42]
  --step-interval-ms N     real-time pacing: each step lasts at least N ms, 0 = as fast
                           as possible [0]
  --call-timeout-ms N      wait for a recommend answer [2000]
  --wait-seconds N         wait for the listed recsystems before the first step [60]
  --linger-seconds N       keep serving after the last step [0]

trigger flags:
  --method M               JSON-RPC method: ping, recommend, new_article,
                           article_interaction, assigned_user, unassigned_user (required)
  --params JSON            object overriding the fake params
  --token T                the recsystem's bearer token, or
  --secret S --sub NAME    sign one for NAME with the simulator's secret
  --api-base-uri URI       the simulator [http://127.0.0.1:8080/v1/]
  --ca-file FILE           trusted CA (PEM) for https; --insecure skips verification
  --timeout-seconds N      [15]

Prints e.g. recommend(user_id='fake-user', max_articles=200, min_articles=15) -> [3, 1]
Exit status: 0 ok, 1 runtime failure, 2 bad command line.
)";
}

}  // namespace recplat::renewal_sim
