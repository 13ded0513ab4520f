#include "trainers/torch_gru4rec/gru4rec_params.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/common/status_macros.h"

namespace recplat::gru4rec {
namespace {

using models::ModelParams;

constexpr int kMaxLayers = 4;
constexpr int kMaxUnits = 4096;

absl::Status Bad(absl::string_view key, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("param '", key, "': expected ", expected, ", got '", value, "'"));
}

absl::StatusOr<std::vector<int>> ParseLayers(const ModelParams& params) {
  const std::string text = params.GetString("layers", "100");
  std::vector<int> layers;
  for (absl::string_view token : absl::StrSplit(text, ',')) {
    int units = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(token), &units) || units < 1 ||
        units > kMaxUnits) {
      return Bad("layers", text,
                 absl::StrCat("comma-separated layer sizes in [1, ", kMaxUnits, "]"));
    }
    layers.push_back(units);
  }
  if (layers.size() > kMaxLayers) {
    return Bad("layers", text, absl::StrCat("at most ", kMaxLayers, " layers"));
  }
  return layers;
}

absl::Status ParseFinalAct(const ModelParams& params, Gru4RecParams* p) {
  const std::string def = p->loss == GruLoss::kCrossEntropy ? "softmax"
                          : p->loss == GruLoss::kBprMax     ? "elu-0.5"
                                                            : "linear";
  const std::string text = params.GetString("final_act", def);
  if (text == "softmax") {
    p->final_act = FinalActivation::kSoftmax;
  } else if (text == "linear") {
    p->final_act = FinalActivation::kLinear;
  } else if (text == "tanh") {
    p->final_act = FinalActivation::kTanh;
  } else if (absl::StartsWith(text, "elu-")) {
    double alpha = 0;
    if (!absl::SimpleAtod(text.substr(4), &alpha) || !(alpha > 0) || !std::isfinite(alpha)) {
      return Bad("final_act", text, "elu-<alpha> with alpha > 0");
    }
    p->final_act = FinalActivation::kElu;
    p->elu_alpha = alpha;
  } else {
    return Bad("final_act", text, "softmax, linear, tanh or elu-<alpha>");
  }
  const bool softmax = p->final_act == FinalActivation::kSoftmax;
  if (softmax != (p->loss == GruLoss::kCrossEntropy)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "param 'final_act': ", text, " does not go with loss ", LossName(p->loss),
        " (cross-entropy needs softmax; bpr-max and top1-max need linear, tanh or elu-<alpha>)"));
  }
  return absl::OkStatus();
}

}  // namespace

const char* LossName(GruLoss loss) {
  switch (loss) {
    case GruLoss::kCrossEntropy:
      return "cross-entropy";
    case GruLoss::kBprMax:
      return "bpr-max";
    case GruLoss::kTop1Max:
      return "top1-max";
  }
  return "?";
}

absl::StatusOr<Gru4RecParams> ParseGru4RecParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"loss", "layers", "embedding", "constrained_embedding", "final_act", "batch_size",
       "learning_rate", "momentum", "n_sample", "sample_alpha", "bpreg", "logq",
       "dropout_p_embed", "dropout_p_hidden", "epochs", "seed", "threads", "session_gap_minutes",
       "max_session_length", "event_types", "incremental_epochs", "full_retrain_every"}));
  Gru4RecParams p;
  const std::string loss = params.GetString("loss", "bpr-max");
  if (loss == "cross-entropy") {
    p.loss = GruLoss::kCrossEntropy;
  } else if (loss == "bpr-max") {
    p.loss = GruLoss::kBprMax;
  } else if (loss == "top1-max") {
    p.loss = GruLoss::kTop1Max;
  } else {
    return Bad("loss", loss, "cross-entropy, bpr-max or top1-max");
  }
  RECPLAT_ASSIGN_OR_RETURN(p.layers, ParseLayers(params));
  RECPLAT_ASSIGN_OR_RETURN(int64_t embedding, params.GetInt("embedding", 0, 0, kMaxUnits));
  p.embedding = static_cast<int>(embedding);
  RECPLAT_ASSIGN_OR_RETURN(p.constrained_embedding,
                           params.GetBool("constrained_embedding", p.constrained_embedding));
  if (p.constrained_embedding && p.embedding > 0) {
    return absl::InvalidArgumentError(
        "param 'embedding': must be 0 with constrained_embedding (the output table is the "
        "input embedding)");
  }
  RECPLAT_RETURN_IF_ERROR(ParseFinalAct(params, &p));
  RECPLAT_ASSIGN_OR_RETURN(int64_t batch, params.GetInt("batch_size", p.batch_size, 1, 4096));
  p.batch_size = static_cast<int>(batch);
  RECPLAT_ASSIGN_OR_RETURN(p.learning_rate,
                           params.GetDouble("learning_rate", p.learning_rate, 1e-9, 100));
  RECPLAT_ASSIGN_OR_RETURN(p.momentum, params.GetDouble("momentum", p.momentum, 0, 0.999));
  RECPLAT_ASSIGN_OR_RETURN(int64_t n_sample, params.GetInt("n_sample", p.n_sample, 0, 100000));
  p.n_sample = static_cast<int>(n_sample);
  RECPLAT_ASSIGN_OR_RETURN(p.sample_alpha,
                           params.GetDouble("sample_alpha", p.sample_alpha, 0, 1));
  RECPLAT_ASSIGN_OR_RETURN(p.bpreg, params.GetDouble("bpreg", p.bpreg, 0, 100));
  RECPLAT_ASSIGN_OR_RETURN(p.logq, params.GetDouble("logq", p.logq, 0, 10));
  RECPLAT_ASSIGN_OR_RETURN(p.dropout_p_embed,
                           params.GetDouble("dropout_p_embed", p.dropout_p_embed, 0, 0.95));
  RECPLAT_ASSIGN_OR_RETURN(p.dropout_p_hidden,
                           params.GetDouble("dropout_p_hidden", p.dropout_p_hidden, 0, 0.95));
  RECPLAT_ASSIGN_OR_RETURN(int64_t epochs, params.GetInt("epochs", p.epochs, 1, 1000));
  p.epochs = static_cast<int>(epochs);
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0));
  p.seed = static_cast<uint64_t>(seed);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", p.threads, 1, 256));
  p.threads = static_cast<int>(threads);
  RECPLAT_ASSIGN_OR_RETURN(p.session_gap_minutes,
                           params.GetInt("session_gap_minutes", p.session_gap_minutes, 0,
                                         int64_t{10} * 365 * 24 * 60));
  RECPLAT_ASSIGN_OR_RETURN(int64_t max_len,
                           params.GetInt("max_session_length", p.max_session_length, 1, 10000));
  p.max_session_length = static_cast<int>(max_len);
  for (absl::string_view name :
       absl::StrSplit(params.GetString("event_types", ""), ',', absl::SkipWhitespace())) {
    p.event_types.emplace_back(absl::StripAsciiWhitespace(name));
  }
  RECPLAT_ASSIGN_OR_RETURN(int64_t inc_epochs,
                           params.GetInt("incremental_epochs", p.incremental_epochs, 1, 1000));
  p.incremental_epochs = static_cast<int>(inc_epochs);
  RECPLAT_ASSIGN_OR_RETURN(p.full_retrain_every,
                           params.GetInt("full_retrain_every", p.full_retrain_every, 0));
  return p;
}

}  // namespace recplat::gru4rec
