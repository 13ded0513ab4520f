// File: scripted_family.h
//
// ScriptedFamily: a model family for engine tests whose models do exactly what their params
// say: `items` = "3:0.9,1:0.5" (item index:score, retrieval order), `ready` = true/false/history
// (history: Ready only when the request has a user history), `fail` = true (Retrieve/Score fail with INTERNAL), `similar` = true (answers Similar with its
// items and Diversify by reversing the head), `echo_anchors` = true (Retrieve returns, for each
// anchor a of the context in order, item (a + 5) % 10, scored 10, 9, ...). Score() gives listed
// items their score and others -1000.
#pragma once

#include <algorithm>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/models/model_family.h"

namespace recplat::testing {

class ScriptedModel final : public models::Model {
 public:
  // `ready_with_history`: Ready only when the request has a user history.
  ScriptedModel(std::vector<models::ScoredItem> items, bool ready, bool fail, bool similar,
                bool ready_with_history = false, bool echo_anchors = false)
      : items_(std::move(items)), ready_(ready), fail_(fail), similar_(similar),
        ready_with_history_(ready_with_history), echo_anchors_(echo_anchors) {}

  bool Ready(const models::RecommendContext& ctx) const override {
    return ready_with_history_ ? !ctx.user_history.empty() : ready_;
  }
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override {
    if (fail_) return absl::InternalError("scripted failure");
    if (echo_anchors_) {
      double score = 10;
      for (uint32_t a : ctx.anchors) {
        const uint32_t item = (a + 5) % 10;
        if (out->size() < n && !ctx.filter->Excluded(item)) out->push_back({item, score--});
      }
      return absl::OkStatus();
    }
    for (const auto& s : items_) {
      if (out->size() >= n) break;
      if (!ctx.filter->Excluded(s.item)) out->push_back(s);
    }
    return absl::OkStatus();
  }
  absl::Status Score(const models::RecommendContext&,
                     std::span<models::ScoredItem> items) const override {
    if (fail_) return absl::InternalError("scripted failure");
    for (auto& it : items) {
      it.score = -1000;
      for (const auto& s : items_) {
        if (s.item == it.item) it.score = s.score;
      }
    }
    return absl::OkStatus();
  }
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override {
    if (!similar_) return absl::UnimplementedError("no");
    for (const auto& s : items_) {
      if (out->size() < n && (filter == nullptr || !filter->Excluded(s.item))) out->push_back(s);
    }
    return absl::OkStatus();
  }
  absl::Status Diversify(size_t head, std::vector<models::ScoredItem>* items) const override {
    if (!similar_) return absl::UnimplementedError("no");
    std::reverse(items->begin(), items->begin() + std::min(head, items->size()));
    return absl::OkStatus();
  }
  absl::Status Save(const std::filesystem::path& dir) const override { return absl::OkStatus(); }

 private:
  std::vector<models::ScoredItem> items_;
  bool ready_, fail_, similar_, ready_with_history_, echo_anchors_;
};

class ScriptedFamily final : public models::ModelFamily {
 public:
  explicit ScriptedFamily(std::string name, bool trainable = false)
      : name_(std::move(name)), trainable_(trainable) {}
  absl::string_view name() const override { return name_; }
  bool trainable() const override { return trainable_; }
  absl::Status ValidateParams(const models::ModelParams&) const override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData&, const models::ModelParams& params) const override {
    std::vector<models::ScoredItem> items;
    for (absl::string_view pair :
         absl::StrSplit(params.GetString("items", ""), ',', absl::SkipEmpty())) {
      std::vector<absl::string_view> kv = absl::StrSplit(pair, ':');
      models::ScoredItem s;
      if (kv.size() != 2 || !absl::SimpleAtoi(kv[0], &s.item) ||
          !absl::SimpleAtod(kv[1], &s.score)) {
        return absl::InvalidArgumentError("bad items");
      }
      items.push_back(s);
    }
    return std::unique_ptr<models::Model>(std::make_unique<ScriptedModel>(
        items, params.GetString("ready", "true") == "true",
        params.GetString("fail", "false") == "true",
        params.GetString("similar", "false") == "true",
        params.GetString("ready", "true") == "history",
        params.GetString("echo_anchors", "false") == "true"));
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path&, const models::ModelParams& params) const override {
    return Fit({}, params);
  }

 private:
  std::string name_;
  bool trainable_;
};

}  // namespace recplat::testing
