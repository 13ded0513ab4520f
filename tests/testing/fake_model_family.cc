#include "tests/testing/fake_model_family.h"

#include <algorithm>
#include <fstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace recplat::testing {
namespace {

// The artifact: line 1 the value, line 2 the items separated by spaces.
constexpr char kArtifactFile[] = "fake_model.txt";
constexpr double kUnknownScore = -1e300;

}  // namespace

FakeModel::FakeModel(double value, std::vector<uint32_t> items,
                     std::shared_ptr<std::atomic<int64_t>> live)
    : value_(value), items_(std::move(items)), live_(std::move(live)) {
  if (live_ != nullptr) {
    live_->fetch_add(1);
  }
}

FakeModel::~FakeModel() {
  if (live_ != nullptr) {
    live_->fetch_sub(1);
  }
}

absl::Status FakeModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                 std::vector<models::ScoredItem>* out) const {
  size_t added = 0;
  for (uint32_t item : items_) {
    if (added == n) {
      break;
    }
    if (ctx.filter != nullptr && ctx.filter->Excluded(item)) {
      continue;
    }
    out->push_back({item, value_});
    ++added;
  }
  return absl::OkStatus();
}

absl::Status FakeModel::Score(const models::RecommendContext& ctx,
                              std::span<models::ScoredItem> items) const {
  for (models::ScoredItem& scored : items) {
    bool known = std::find(items_.begin(), items_.end(), scored.item) != items_.end();
    scored.score = known ? value_ : kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status FakeModel::Save(const std::filesystem::path& dir) const {
  if (fail_save_) {
    return absl::InternalError("fake save failure");
  }
  std::ofstream file(dir / kArtifactFile, std::ios::trunc);
  file << absl::StrFormat("%.17g", value_) << "\n" << absl::StrJoin(items_, " ") << "\n";
  file.close();
  if (!file) {
    return absl::InternalError(absl::StrCat("cannot write ", (dir / kArtifactFile).string()));
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, double>> FakeModel::Metrics() const {
  return {{"value", value_}};
}

FakeModelFamily::FakeModelFamily(std::string name, bool trainable)
    : name_(std::move(name)),
      trainable_(trainable),
      live_(std::make_shared<std::atomic<int64_t>>(0)) {}

absl::Status FakeModelFamily::ValidateParams(const models::ModelParams& params) const {
  if (params.values().contains("invalid")) {
    return absl::InvalidArgumentError("fake family: parameter 'invalid' is not accepted");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<models::Model>> FakeModelFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  fits_.fetch_add(1);
  if (fail_fit_) {
    return absl::InternalError("fake fit failure");
  }
  if (fit_until_stopped_) {
    fit_running_ = true;
    while (!data.stop.stop_requested()) absl::SleepFor(absl::Milliseconds(1));
    fit_running_ = false;
    return models::CheckStop(data.stop);
  }
  double value = fit_value_;
  if (auto it = params.values().find("value"); it != params.values().end()) {
    if (!absl::SimpleAtod(it->second, &value)) {
      return absl::InvalidArgumentError(absl::StrCat("fake family: bad value '", it->second, "'"));
    }
  }
  return MakeModel(value);
}

absl::StatusOr<std::unique_ptr<models::Model>> FakeModelFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  loads_.fetch_add(1);
  if (fail_load_) {
    return absl::DataLossError("fake load failure");
  }
  std::ifstream file(dir / kArtifactFile);
  if (!file) {
    return absl::DataLossError(absl::StrCat("no fake artifact in ", dir.string()));
  }
  std::string value_line;
  std::string items_line;
  std::getline(file, value_line);
  std::getline(file, items_line);
  double value = 0;
  if (!absl::SimpleAtod(value_line, &value)) {
    return absl::DataLossError(absl::StrCat("corrupt fake artifact in ", dir.string()));
  }
  std::vector<uint32_t> items;
  for (absl::string_view token : absl::StrSplit(items_line, ' ', absl::SkipEmpty())) {
    uint32_t item = 0;
    if (!absl::SimpleAtoi(token, &item)) {
      return absl::DataLossError(absl::StrCat("corrupt fake artifact in ", dir.string()));
    }
    items.push_back(item);
  }
  return std::make_unique<FakeModel>(value, std::move(items), live_);
}

std::unique_ptr<FakeModel> FakeModelFamily::MakeModel(double value) const {
  return std::make_unique<FakeModel>(
      value, std::vector<uint32_t>(std::begin(kItems), std::end(kItems)), live_);
}

}  // namespace recplat::testing
