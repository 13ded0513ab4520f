// renewal-sim: the Renewal backend simulator (sim_backend.h) on a MIND sample, and the client
// of its test utility (trigger.h). Flags: sim_flags.h (`renewal-sim --help`).
//
// run: prints "api base uri: ..." and "token <sub>: <jwt>" for each --sub, waits for them to
// connect, runs --steps refresh rounds and prints, per recsystem,
//   <sub>: calls N failed N discarded N shown N clicks N ctr X likes N dislikes N bookmarks N
//          contests N wins N losses N ties N
// and per pair of recsystems "pair <a> vs <b>: <a> N, <b> N, ties N, no-click N".
// trigger: prints the call line (e.g. "ping() -> 'pong'"); exit 1 on failure.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/renewal_sim/jwt.h"
#include "tools/renewal_sim/mind_data.h"
#include "tools/renewal_sim/sim_backend.h"
#include "tools/renewal_sim/sim_flags.h"
#include "tools/renewal_sim/trigger.h"

namespace {

using recplat::renewal_sim::Command;
using recplat::renewal_sim::LoadMind;
using recplat::renewal_sim::MindData;
using recplat::renewal_sim::ParseCommandLine;
using recplat::renewal_sim::PostTrigger;
using recplat::renewal_sim::RecsystemToken;
using recplat::renewal_sim::RunConfig;
using recplat::renewal_sim::SimBackend;
using recplat::renewal_sim::TriggerConfig;
using recplat::renewal_sim::Usage;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

void PrintReport(const SimBackend& backend) {
  for (const auto& [sub, st] : backend.stats()) {
    std::cout << sub << ": calls " << st.recommend_calls << " failed " << st.failed_calls
              << " discarded " << st.discarded << " shown " << st.shown << " clicks " << st.clicks
              << " ctr " << std::fixed << std::setprecision(4) << st.ctr() << " likes " << st.likes
              << " dislikes " << st.dislikes << " bookmarks " << st.bookmarks << " contests "
              << st.contests << " wins " << st.wins << " losses " << st.losses << " ties "
              << st.ties << "\n";
  }
  for (const auto& [names, p] : backend.pairs()) {
    std::cout << "pair " << names.first << " vs " << names.second << ": " << names.first << " "
              << p.first_wins << ", " << names.second << " " << p.second_wins << ", ties " << p.ties
              << ", no-click " << p.no_clicks << "\n";
  }
}

int Run(RunConfig config) {
  if (!config.tls_cert_file.empty() && (!ReadFile(config.tls_cert_file, &config.sim.tls_cert_pem) ||
                                        !ReadFile(config.tls_key_file, &config.sim.tls_key_pem))) {
    std::cerr << "renewal-sim: cannot read --tls-cert / --tls-key\n";
    return 1;
  }
  absl::StatusOr<MindData> data = LoadMind(config.data_dir, config.load);
  if (!data.ok()) {
    std::cerr << "renewal-sim: " << data.status() << "\n";
    return 1;
  }
  std::cout << "loaded " << data->articles.size() << " articles, " << data->users.size()
            << " users\n";
  const std::vector<std::string> subs = config.sim.recsystems;
  absl::StatusOr<std::unique_ptr<SimBackend>> backend =
      SimBackend::Start(config.sim, *std::move(data));
  if (!backend.ok()) {
    std::cerr << "renewal-sim: " << backend.status() << "\n";
    return 1;
  }
  SimBackend& sim = **backend;
  std::cout << "api base uri: " << sim.base_uri() << "\n";
  for (const std::string& sub : subs)
    std::cout << "token " << sub << ": " << sim.TokenFor(sub) << "\n";
  std::cout.flush();
  if (!sim.WaitForGreeted(subs.size(), absl::Seconds(config.wait_seconds))) {
    std::cerr << "renewal-sim: only " << sim.greeted().size() << " of " << subs.size()
              << " recsystem(s) connected\n";
    if (sim.greeted().empty()) return 1;
  }
  sim.Run(config.steps);
  PrintReport(sim);
  std::cout.flush();
  if (config.linger_seconds > 0) absl::SleepFor(absl::Seconds(config.linger_seconds));
  sim.Stop();
  return 0;
}

int Trigger(TriggerConfig config) {
  if (config.request.token.empty()) {
    config.request.token = RecsystemToken(config.sub, config.secret, absl::Now());
  }
  absl::StatusOr<nlohmann::json> body = PostTrigger(config.request);
  if (!body.ok()) {
    std::cerr << "renewal-sim trigger: " << body.status() << "\n";
    return 1;
  }
  std::cout << body->value("line", std::string()) << "\n";
  return body->contains("error") ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<Command> command = ParseCommandLine(args);
  if (!command.ok()) {
    std::cerr << "renewal-sim: " << command.status().message() << "\n\n" << Usage();
    return 2;
  }
  switch (command->kind) {
    case Command::Kind::kHelp:
      std::cout << Usage();
      return EXIT_SUCCESS;
    case Command::Kind::kTrigger:
      return Trigger(std::move(command->trigger));
    case Command::Kind::kRun:
      break;
  }
  return Run(std::move(command->run));
}
