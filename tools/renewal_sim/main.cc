// renewal-sim: runs the Renewal backend simulator (sim_backend.h) on a MIND sample.
//
//   renewal-sim [--data DIR] [--port N] [--secret S] [--users N] [--articles N]
//               [--initial N] [--steps N] [--release N] [--wait-seconds N] [--sub NAME]...
//
// Prints a bearer token for each --sub (default "recsystem-1"), waits up to --wait-seconds for
// them to connect, then runs --steps rounds (releasing --release articles before each) and
// prints the clicks, recommendations and CTR of each recsystem.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "tools/renewal_sim/mind_data.h"
#include "tools/renewal_sim/sim_backend.h"

namespace {

int Usage() {
  std::cerr << "usage: renewal-sim [--data DIR] [--port N] [--secret S] [--users N] "
               "[--articles N] [--initial N] [--steps N] [--release N] [--wait-seconds N] "
               "[--sub NAME]...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using recplat::renewal_sim::LoadMind;
  using recplat::renewal_sim::MindLoadOptions;
  using recplat::renewal_sim::SimBackend;
  using recplat::renewal_sim::SimOptions;

  std::string data_dir = "../shared/datasets/mind-small-sample";
  SimOptions options;
  MindLoadOptions load;
  int64_t steps = 5, release = 5, wait_seconds = 60, port = 0, users = 50, articles = 0,
          initial = 100;
  std::vector<std::string> subs;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[++i];
    auto number = [&](int64_t* out) { return absl::SimpleAtoi(value, out) && *out >= 0; };
    bool ok = true;
    if (flag == "--data") data_dir = value;
    else if (flag == "--secret") options.secret = value;
    else if (flag == "--sub") subs.push_back(value);
    else if (flag == "--port") ok = number(&port) && port < 65536;
    else if (flag == "--users") ok = number(&users);
    else if (flag == "--articles") ok = number(&articles);
    else if (flag == "--initial") ok = number(&initial);
    else if (flag == "--steps") ok = number(&steps);
    else if (flag == "--release") ok = number(&release);
    else if (flag == "--wait-seconds") ok = number(&wait_seconds);
    else ok = false;
    if (!ok) return Usage();
  }
  if (subs.empty()) subs.push_back("recsystem-1");
  options.port = static_cast<uint16_t>(port);
  options.initial_articles = static_cast<size_t>(initial);
  load.max_users = static_cast<size_t>(users);
  load.max_articles = static_cast<size_t>(articles);

  auto data = LoadMind(data_dir, load);
  if (!data.ok()) {
    std::cerr << data.status() << "\n";
    return 1;
  }
  std::cout << "loaded " << data->articles.size() << " articles, " << data->users.size()
            << " users\n";
  auto backend = SimBackend::Start(options, *std::move(data));
  if (!backend.ok()) {
    std::cerr << backend.status() << "\n";
    return 1;
  }
  std::cout << "api base uri: " << (*backend)->base_uri() << "\n";
  for (const std::string& sub : subs) {
    std::cout << "token " << sub << ": " << (*backend)->TokenFor(sub) << "\n";
  }
  std::cout.flush();
  if (!(*backend)->WaitForGreeted(subs.size(), absl::Seconds(wait_seconds))) {
    std::cerr << "only " << (*backend)->greeted().size() << " recsystem(s) connected\n";
    if ((*backend)->greeted().empty()) return 1;
  }
  for (int64_t step = 0; step < steps; ++step) {
    (*backend)->ReleaseArticles(static_cast<size_t>(release));
    (*backend)->Step();
  }
  for (const auto& [sub, st] : (*backend)->stats()) {
    std::cout << sub << ": calls " << st.recommend_calls << " failed " << st.failed_calls
              << " recommended " << st.recommended << " clicks " << st.clicks << " ctr "
              << st.ctr() << "\n";
  }
  (*backend)->Stop();
  return EXIT_SUCCESS;
}
