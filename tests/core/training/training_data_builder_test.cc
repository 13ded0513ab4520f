// Tests of BuildTrainingData's item attributes (ItemInfo::numeric / categorical), served lists
// and documents, and of the trainer asking for them only for families that use them.
#include "core/training/training_data_builder.h"

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/training/trainer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::training {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

// Fails every Fit with FAILED_PRECONDITION "attributes: <n> served: <s> documents: <d>", n =
// the number of numeric and categorical attributes in the TrainingData it got, s its served
// lists, d its documents, so a test can see what reached it. `uses` asks for all three (the
// documents of collection "journeys").
class AttributeProbeFamily final : public models::ModelFamily {
 public:
  explicit AttributeProbeFamily(bool uses) : uses_(uses) {}
  absl::string_view name() const override { return uses_ ? "probe_uses" : "probe"; }
  bool uses_item_attributes() const override { return uses_; }
  bool uses_served_lists() const override { return uses_; }
  std::vector<std::string> TrainingDocuments(const models::ModelParams&) const override {
    return uses_ ? std::vector<std::string>{"journeys"} : std::vector<std::string>{};
  }
  absl::Status ValidateParams(const models::ModelParams&) const override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(const models::TrainingData& data,
                                                     const models::ModelParams&) const override {
    size_t n = 0;
    for (const models::ItemInfo& info : data.items)
      n += info.numeric.size() + info.categorical.size();
    return absl::FailedPreconditionError(absl::StrCat("attributes: ", n, " served: ",
                                                      data.served_lists.size(),
                                                      " documents: ", data.documents.size()));
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Load(const std::filesystem::path&,
                                                      const models::ModelParams&) const override {
    return absl::DataLossError("probe");
  }

 private:
  const bool uses_;
};

class TrainingDataBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
  }

  // Applies `records` at the next offsets.
  void Apply(std::deque<v1::LogRecord> records) {
    std::vector<state::OffsetRecord> batch;
    for (const v1::LogRecord& r : records) batch.push_back({offset_++, &r});
    ASSERT_OK(state_->Apply(batch));
  }

  static v1::LogRecord Upsert(const std::string& id,
                              std::vector<std::pair<std::string, double>> num,
                              std::vector<std::pair<std::string, std::string>> cat) {
    v1::LogRecord r;
    v1::Item* item = r.mutable_item_upsert();
    item->set_id(id);
    item->set_tenant("default");
    for (auto& [k, v] : num) (*item->mutable_numeric_attributes())[k] = v;
    for (auto& [k, v] : cat) (*item->mutable_categorical_attributes())[k] = v;
    return r;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<state::StateStore> state_;
  uint64_t offset_ = 0;
};

TEST_F(TrainingDataBuilderTest, AttributesAreFilledSortedByNameWhenAsked) {
  std::deque<v1::LogRecord> records;
  records.push_back(Upsert("a", {{"weight", 2.5}, {"price", 10}}, {{"size", "L"}, {"brand", "x"}}));
  records.push_back(Upsert("b", {}, {{"colour", "red"}}));
  records.push_back(Upsert("c", {{"price", 7}}, {}));
  v1::ItemDelete* del = records.emplace_back().mutable_item_delete();
  del->set_tenant("default");
  del->set_id("c");
  v1::Event* e = records.emplace_back().mutable_event();  // Creates item "d" without attributes.
  e->set_tenant("default");
  e->set_user_id("u");
  e->set_item_id("d");
  e->set_type("view");
  e->set_timestamp_ms(5);
  Apply(std::move(records));

  ASSERT_OK_AND_ASSIGN(BuiltTrainingData with, BuildTrainingData(*state_, "default", {}, 0, true));
  const models::TrainingData& d = with.data;
  ASSERT_EQ(d.num_items, 4u);
  ASSERT_EQ(d.items.size(), 4u);
  EXPECT_THAT(d.items[0].numeric, ElementsAre(Pair("price", 10.0), Pair("weight", 2.5)));
  EXPECT_THAT(d.items[0].categorical, ElementsAre(Pair("brand", "x"), Pair("size", "L")));
  EXPECT_THAT(d.items[1].numeric, IsEmpty());
  EXPECT_THAT(d.items[1].categorical, ElementsAre(Pair("colour", "red")));
  EXPECT_FALSE(d.items[2].live);  // Deleted: no attributes.
  EXPECT_THAT(d.items[2].numeric, IsEmpty());
  EXPECT_THAT(d.items[3].numeric, IsEmpty());
  EXPECT_THAT(d.items[3].categorical, IsEmpty());

  ASSERT_OK_AND_ASSIGN(BuiltTrainingData without, BuildTrainingData(*state_, "default", {}, 0));
  for (const models::ItemInfo& info : without.data.items) {
    EXPECT_THAT(info.numeric, IsEmpty());
    EXPECT_THAT(info.categorical, IsEmpty());
  }
}

TEST_F(TrainingDataBuilderTest, TextFieldsAreFilledAndLongTextIsCutAtACharacter) {
  std::deque<v1::LogRecord> records;
  records.push_back(Upsert("a", {}, {}));
  v1::Item* a = records.back().mutable_item_upsert();
  a->set_title("Storm hits coast");
  a->add_categories("weather");
  a->add_categories("news");
  // 4095 ASCII bytes, then a 2-byte character straddling the 4096-byte limit.
  a->set_text(std::string(models::ItemInfo::kMaxTextBytes - 1, 'x') + "\xc3\xa9tail");
  Apply(std::move(records));
  ASSERT_OK_AND_ASSIGN(BuiltTrainingData with, BuildTrainingData(*state_, "default", {}, 0, true));
  ASSERT_EQ(with.data.items.size(), 1u);
  const models::ItemInfo& info = with.data.items[0];
  EXPECT_EQ(info.title, "Storm hits coast");
  EXPECT_THAT(info.categories, ElementsAre("weather", "news"));
  EXPECT_EQ(info.text, std::string(models::ItemInfo::kMaxTextBytes - 1, 'x'));
  ASSERT_OK_AND_ASSIGN(BuiltTrainingData without, BuildTrainingData(*state_, "default", {}, 0));
  EXPECT_TRUE(without.data.items[0].title.empty());
  EXPECT_TRUE(without.data.items[0].text.empty());
}

TEST_F(TrainingDataBuilderTest, AttributesOfManyItemsArePaged) {
  constexpr int kItems = 2345;  // More than two pages of ListItems.
  std::deque<v1::LogRecord> records;
  for (int i = 0; i < kItems; ++i) {
    records.push_back(Upsert(absl::StrCat("i", i), {{"n", i}}, {}));
  }
  Apply(std::move(records));
  ASSERT_OK_AND_ASSIGN(BuiltTrainingData built, BuildTrainingData(*state_, "default", {}, 0, true));
  ASSERT_EQ(built.data.items.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) {
    ASSERT_THAT(built.data.items[i].numeric, ElementsAre(Pair("n", i))) << "item " << i;
  }
}

TEST_F(TrainingDataBuilderTest, TrainerReadsAttributesOnlyForFamiliesThatUseThem) {
  Apply({Upsert("a", {{"price", 1}, {"w", 2}}, {{"brand", "x"}})});
  models::ModelFamilyRegistry families;
  ASSERT_OK(families.Register(std::make_unique<AttributeProbeFamily>(true)));
  ASSERT_OK(families.Register(std::make_unique<AttributeProbeFamily>(false)));
  registry::RegistryOptions ro;
  ro.root = dir_.path() / "models";
  ro.families = &families;
  ro.clock = &clock_;
  ro.models["uses"].family = "probe_uses";
  ro.models["plain"].family = "probe";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<registry::ModelRegistry> registry,
                       registry::ModelRegistry::Create(ro));
  prometheus::Registry metrics;
  Trainer trainer(TrainerOptions{}, *state_, *registry, clock_, metrics);
  EXPECT_THAT(trainer.TrainNow("default", "uses", "api"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("attributes: 3")));
  EXPECT_THAT(trainer.TrainNow("default", "plain", "api"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("attributes: 0")));
}

TEST_F(TrainingDataBuilderTest, ServedListsAndDocumentsAreFilledWhenAsked) {
  std::deque<v1::LogRecord> records;
  records.push_back(Upsert("a", {}, {}));
  records.push_back(Upsert("b", {}, {}));
  v1::Event* e = records.emplace_back().mutable_event();
  e->set_tenant("default");
  e->set_user_id("u");
  e->set_item_id("a");
  e->set_type("order");
  e->set_timestamp_ms(5);
  for (const char* key : {"v1/v2", "v2/v3"}) {
    v1::Document* d = records.emplace_back().mutable_document_put();
    d->set_tenant("default");
    d->set_collection("journeys");
    d->set_key(key);
    d->set_body(absl::StrCat("{\"k\":\"", key, "\"}"));
  }
  v1::Document* other = records.emplace_back().mutable_document_put();
  other->set_tenant("default");
  other->set_collection("other");
  other->set_key("x");
  other->set_body("y");
  Apply(std::move(records));
  std::vector<v1::ServedList> lists(3);
  lists[0].set_recommendation_id("r1");
  lists[0].set_user_id("u");
  lists[0].set_served_at_ms(100);
  lists[0].add_item_ids("b");
  lists[0].add_item_ids("a");
  (*lists[0].mutable_context())["visit_id"] = "v1";
  (*lists[0].mutable_context())["panel_id"] = "p";
  lists[1].set_recommendation_id("r2");
  lists[1].set_session_id("anonymous");
  lists[1].set_served_at_ms(200);
  lists[1].add_item_ids("a");
  lists[1].add_item_ids("gone");
  lists[2].set_recommendation_id("r0");
  lists[2].set_user_id("stranger");
  lists[2].set_served_at_ms(50);
  for (v1::ServedList& l : lists) {
    l.set_tenant("default");
    l.set_surface("s");
  }
  ASSERT_OK(state_->RecordServedLists(lists));

  ASSERT_OK_AND_ASSIGN(BuiltTrainingData plain, BuildTrainingData(*state_, "default", {}, 0));
  EXPECT_THAT(plain.data.served_lists, IsEmpty());
  EXPECT_THAT(plain.data.documents, IsEmpty());

  TrainingDataExtras extras;
  extras.served_lists = true;
  extras.document_collections = {"journeys"};
  ASSERT_OK_AND_ASSIGN(BuiltTrainingData built,
                       BuildTrainingData(*state_, "default", {}, 0, extras));
  const models::TrainingData& d = built.data;
  ASSERT_EQ(d.served_lists.size(), 3u);
  // Serving-time order; users resolved to their indices, unknown ones and sessions not.
  EXPECT_EQ(d.served_lists[0].user_id, "stranger");
  EXPECT_EQ(d.served_lists[0].user, models::ServedListRecord::kUnknownUser);
  const models::ServedListRecord& first = d.served_lists[1];
  EXPECT_EQ(first.user_id, "u");
  ASSERT_LT(first.user, d.num_users);
  ASSERT_EQ(d.interactions.size(), 1u);
  EXPECT_EQ(first.user, d.interactions[0].user);
  EXPECT_EQ(first.served_at_ms, 100);
  EXPECT_EQ(first.surface, "s");
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(d.item_ids[first.items[0]], "b");
  EXPECT_EQ(d.item_ids[first.items[1]], "a");
  EXPECT_TRUE(first.complete);
  EXPECT_THAT(first.context, ElementsAre(Pair("panel_id", "p"), Pair("visit_id", "v1")));
  const models::ServedListRecord& anonymous = d.served_lists[2];
  EXPECT_EQ(anonymous.user, models::ServedListRecord::kUnknownUser);
  EXPECT_EQ(anonymous.session_id, "anonymous");
  EXPECT_FALSE(anonymous.complete);  // "gone" is not in the catalog.
  EXPECT_EQ(anonymous.items.size(), 1u);
  ASSERT_EQ(d.documents.size(), 2u);
  EXPECT_EQ(d.documents[0].collection, "journeys");
  EXPECT_EQ(d.documents[0].key, "v1/v2");
  EXPECT_EQ(d.documents[1].body, "{\"k\":\"v2/v3\"}");
}

TEST_F(TrainingDataBuilderTest, TrainerReadsServedListsAndDocumentsOnlyForFamiliesThatAsk) {
  v1::LogRecord doc;
  v1::Document* d = doc.mutable_document_put();
  d->set_tenant("default");
  d->set_collection("journeys");
  d->set_key("k");
  d->set_body("{}");
  Apply({Upsert("a", {}, {}), doc});
  v1::ServedList list;
  list.set_tenant("default");
  list.set_recommendation_id("r");
  list.add_item_ids("a");
  ASSERT_OK(state_->RecordServedLists({&list, 1}));
  models::ModelFamilyRegistry families;
  ASSERT_OK(families.Register(std::make_unique<AttributeProbeFamily>(true)));
  ASSERT_OK(families.Register(std::make_unique<AttributeProbeFamily>(false)));
  registry::RegistryOptions ro;
  ro.root = dir_.path() / "models";
  ro.families = &families;
  ro.clock = &clock_;
  ro.models["uses"].family = "probe_uses";
  ro.models["plain"].family = "probe";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<registry::ModelRegistry> registry,
                       registry::ModelRegistry::Create(ro));
  prometheus::Registry metrics;
  Trainer trainer(TrainerOptions{}, *state_, *registry, clock_, metrics);
  EXPECT_THAT(trainer.TrainNow("default", "uses", "api"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("served: 1 documents: 1")));
  EXPECT_THAT(trainer.TrainNow("default", "plain", "api"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("served: 0 documents: 0")));
}

}  // namespace
}  // namespace recplat::training
