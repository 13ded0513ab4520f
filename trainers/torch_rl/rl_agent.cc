#include "trainers/torch_rl/rl_agent.h"

#include "trainers/torch_rl/internal/torch_api.h"

namespace recplat::rl {

absl::StatusOr<std::unique_ptr<RlPolicy>> CreatePolicy(const RlParams& params, int64_t num_users,
                                                       const RlItemSpace& items,
                                                       const std::string* blob) {
  absl::StatusOr<const internal::RlTorchApi*> api = internal::LoadRlTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->create(params, num_users, items, blob);
}

absl::StatusOr<RlTrainStats> TrainPolicy(const RlParams& params, const RlTrainData& data,
                                         const std::atomic<bool>* stop,
                                         std::unique_ptr<RlPolicy>* policy) {
  absl::StatusOr<const internal::RlTorchApi*> api = internal::LoadRlTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->train(params, data, stop, policy);
}

}  // namespace recplat::rl
