// `recplat import`: loads items, users and events from JSON lines (protobuf JSON mapping of
// recplat.v1.Item / User / Event; snake_case or camelCase keys) through the internal API, in
// batches, in the order items, users, events.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "apps/recplat/commands.h"
#include "apps/recplat/runtime.h"
#include "google/protobuf/util/json_util.h"

namespace recplat::app {
namespace {

// Reads `path` line by line, parses each non-empty line into a `Msg`, and hands batches of
// `batch` messages to `flush`. Stops at the first error, naming file and line.
template <typename Msg>
absl::Status ImportFile(const std::string& path, int batch,
                        const std::function<absl::Status(std::vector<Msg>&)>& flush,
                        int64_t* count) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::vector<Msg> pending;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Msg msg;
    auto st = google::protobuf::util::JsonStringToMessage(line, &msg, options);
    if (!st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_no, ": ", std::string(st.message())));
    }
    pending.push_back(std::move(msg));
    if (static_cast<int>(pending.size()) >= batch) {
      if (absl::Status s = flush(pending); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat(path, " (batch ending at line ", line_no,
                                                   "): ", s.message()));
      }
      *count += static_cast<int64_t>(pending.size());
      pending.clear();
    }
  }
  if (!pending.empty()) {
    if (absl::Status s = flush(pending); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(path, " (last batch): ", s.message()));
    }
    *count += static_cast<int64_t>(pending.size());
  }
  return absl::OkStatus();
}

}  // namespace

int RunImport(const config::Config& config, const std::string& profile_path,
              const ImportArgs& args) {
  if (args.items.empty() && args.users.empty() && args.events.empty()) {
    std::fprintf(stderr, "recplat import: give at least one of --items, --users, --events\n");
    return 2;
  }
  auto runtime = Runtime::Open({config, profile_path});
  if (!runtime.ok()) {
    std::fprintf(stderr, "recplat import: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  if (absl::Status s = (*runtime)->Start(/*serve=*/false); !s.ok()) {
    std::fprintf(stderr, "recplat import: %s\n", s.ToString().c_str());
    return 1;
  }
  api::Api& api = (*runtime)->service();
  int64_t items = 0, users = 0, events = 0;
  absl::Status status;
  if (!args.items.empty()) {
    status = ImportFile<v1::Item>(
        args.items, args.batch,
        [&api](std::vector<v1::Item>& batch) {
          v1::UpsertItemsRequest req;
          for (auto& m : batch) *req.add_items() = std::move(m);
          return api.UpsertItems(req).status();
        },
        &items);
  }
  if (status.ok() && !args.users.empty()) {
    status = ImportFile<v1::User>(
        args.users, args.batch,
        [&api](std::vector<v1::User>& batch) {
          v1::UpsertUsersRequest req;
          for (auto& m : batch) *req.add_users() = std::move(m);
          return api.UpsertUsers(req).status();
        },
        &users);
  }
  if (status.ok() && !args.events.empty()) {
    status = ImportFile<v1::Event>(
        args.events, args.batch,
        [&api](std::vector<v1::Event>& batch) {
          v1::AppendEventsRequest req;
          req.set_wait_applied(true);
          for (auto& m : batch) *req.add_events() = std::move(m);
          return api.AppendEvents(req).status();
        },
        &events);
  }
  (*runtime)->Shutdown(absl::Seconds(5));
  std::printf("{\"items\": %lld, \"users\": %lld, \"events\": %lld}\n",
              static_cast<long long>(items), static_cast<long long>(users),
              static_cast<long long>(events));
  if (!status.ok()) {
    std::fprintf(stderr, "recplat import: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace recplat::app
