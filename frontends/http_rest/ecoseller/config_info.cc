// EcosellerConfigInfoJson (declared in config_object.h): titles and descriptions of the
// configuration fields, shown as help texts by the dashboard's configuration page.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "frontends/http_rest/ecoseller/config_object.h"

namespace recplat::http::ecoseller {
namespace {

using nlohmann::json;

json Info(absl::string_view title, absl::string_view description) {
  return {{"title", std::string(title)}, {"description", std::string(description)}};
}

json CascadeInfo(absl::string_view title, absl::string_view step, absl::string_view page) {
  return Info(title, absl::StrCat("Models tried in order for the ", step, " step when ", page,
                                  " are recommended; the first enabled and ready model is used."));
}

json BuildInfo() {
  json info = json::object();
  info["retrievalSize"] = Info("Retrieval size",
                               "How many product variants the retrieval step selects. More "
                               "candidates can improve results but slow prediction down.");
  info["orderingSize"] = Info("Ordering size",
                              "How many top-ranked product variants the ordering step re-ranks "
                              "for diversity. Larger values are slower.");
  info["models_disabled"] = Info("Disabled models",
                                 "Models switched off; cascades skip them as if they were not "
                                 "ready.");
  info["homepageRetrievalCascade"] =
      CascadeInfo("Homepage retrieval", "retrieval", "homepage products");
  info["homepageScoringCascade"] = CascadeInfo("Homepage scoring", "scoring", "homepage products");
  info["categoryListRetrievalCascade"] =
      Info("Category list retrieval",
           "Not configurable: retrieval for a category page takes the product variants of that "
           "category and its subcategories, without a model.");
  info["categoryListScoringCascade"] =
      CascadeInfo("Category list scoring", "scoring", "products of a category page");
  info["productDetailRetrievalCascade"] =
      CascadeInfo("Product detail retrieval", "retrieval", "products for a product detail page");
  info["productDetailScoringCascade"] =
      CascadeInfo("Product detail scoring", "scoring", "products for a product detail page");
  info["cartRetrievalCascade"] =
      CascadeInfo("Cart retrieval", "retrieval", "products for the cart page");
  info["cartScoringCascade"] = CascadeInfo("Cart scoring", "scoring", "products for the cart page");
  info["easeConfig"] = {
      {"l2Options", Info("L2 regularization options",
                         "Values of the L2 regularization tried when training EASE; the best "
                         "one on held-out reviews is kept.")},
      {"reviewsMultiplier",
       Info("Reviews multiplier",
            "EASE trains only when there are more reviews than this multiple of the number of "
            "product variants (e.g. 0.5: over 100 reviews for 200 variants).")},
  };
  info["gru4recConfig"] = {
      {"numEpochsOptions", Info("Number of epochs options",
                                "Numbers of training epochs tried in a full GRU4Rec training.")},
      {"batchSizeOptions",
       Info("Batch size options", "Batch sizes tried in a full GRU4Rec training.")},
      {"embeddingSizeOptions",
       Info("Embedding size options", "Embedding layer sizes tried in a full GRU4Rec training.")},
      {"hiddenSizeOptions",
       Info("Hidden layer size options", "Hidden layer sizes tried in a full GRU4Rec training.")},
      {"learningRateOptions",
       Info("Learning rate options", "Learning rates tried in a full GRU4Rec training.")},
      {"incrementalTrainings",
       Info("Number of incremental trainings",
            "Incremental trainings (one epoch over new product detail visits) between two full "
            "trainings.")},
      {"eventsMultiplier",
       Info("Events multiplier",
            "GRU4Rec trains only when there are more product detail visits than this multiple of "
            "the number of product variants (e.g. 10: over 1000 visits for 100 variants).")},
  };
  return info;
}

}  // namespace

const json& EcosellerConfigInfoJson() {
  static const json* const kInfo = new json(BuildInfo());
  return *kInfo;
}

}  // namespace recplat::http::ecoseller
