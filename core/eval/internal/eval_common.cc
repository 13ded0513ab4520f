#include "core/eval/internal/eval_common.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"

namespace recplat::eval::internal {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  }
  return buf.str();
}

absl::StatusOr<const models::ModelFamily*> CheckCommonOptions(
    int k, int threads, const std::string& family_name, const models::ModelParams& params,
    const models::ModelFamilyRegistry& families) {
  if (k < 1) {
    return absl::InvalidArgumentError(absl::StrCat("k must be >= 1, got ", k));
  }
  if (threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat("threads must be >= 0, got ", threads));
  }
  const models::ModelFamily* family = families.Find(family_name);
  if (family == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown model family '", family_name,
                     "' (known: ", absl::StrJoin(families.Names(), ", "), ")"));
  }
  RECPLAT_RETURN_IF_ERROR(family->ValidateParams(params));
  return family;
}

}  // namespace recplat::eval::internal
