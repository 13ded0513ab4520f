// Every Api method over gRPC: requests reach the (fake) core intact, responses come back
// intact, and each RPC is counted in the server's request metrics.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "prometheus/metric_family.h"
#include "tests/core/grpc/grpc_test_util.h"

namespace recplat::grpc_frontend {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::MessageDifferencer;
using testing::FakeMethod;

constexpr int kDepth = 5;

void FillAll(Message* m, int seed, int depth);

// Sets `f` of `m` (singular) or appends to it (repeated) a value derived from `seed`.
void FillField(Message* m, const FieldDescriptor* f, int seed, int depth) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  const std::string text = absl::StrCat(f->name(), "-", seed, "-ü");
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      rep ? r->AddInt32(m, f, -7 - seed) : r->SetInt32(m, f, 7 + seed);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      rep ? r->AddInt64(m, f, -(int64_t{1} << 40) - seed)
          : r->SetInt64(m, f, (int64_t{1} << 41) + seed);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      rep ? r->AddUInt32(m, f, 3u + seed) : r->SetUInt32(m, f, 4000000000u + seed);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      rep ? r->AddUInt64(m, f, (uint64_t{1} << 63) + seed) : r->SetUInt64(m, f, 9u + seed);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      rep ? r->AddDouble(m, f, -0.125 - seed) : r->SetDouble(m, f, 1e6 + 0.75 + seed);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      rep ? r->AddFloat(m, f, 0.5f + seed) : r->SetFloat(m, f, -2.25f - seed);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      rep ? r->AddBool(m, f, seed % 2 == 0) : r->SetBool(m, f, true);
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int n = f->enum_type()->value_count();
      // A non-default value when there is one.
      const auto* v = f->enum_type()->value(n > 1 ? 1 + seed % (n - 1) : 0);
      rep ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(m, f, text) : r->SetString(m, f, text);
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (depth > 0) {
        FillAll(rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), seed, depth - 1);
      }
      break;
  }
}

// Sets every field of `m`, recursively to `depth` levels of messages, to values derived from
// `seed`: a message that arrives equal to the one sent has carried every field. Repeated and
// map fields get two elements (distinct keys); of a oneof, the member `seed` picks.
void FillAll(Message* m, int seed, int depth) {
  const Descriptor* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const auto* oneof = f->real_containing_oneof();
    if (oneof != nullptr && oneof->field(seed % oneof->field_count()) != f) {
      continue;
    }
    const int n = f->is_repeated() ? 2 : 1;
    for (int k = 0; k < n; ++k) {
      // Repeated message elements differ in their oneof choice too.
      FillField(m, f, seed + k + i, depth);
    }
  }
}

template <typename T>
T Filled(int seed) {
  T m;
  FillAll(&m, seed, kDepth);
  return m;
}

class GrpcRoundTripTest : public GrpcLoopbackTest {
 protected:
  // Sends a filled request through client_->*call and checks what the fake received and what
  // came back.
  template <typename Req, typename Resp>
  void ExpectRoundTrip(FakeMethod<Req, Resp>& method,
                       absl::StatusOr<Resp> (api::Api::*call)(const Req&), int seed) {
    const Req request = Filled<Req>(seed);
    const Resp response = Filled<Resp>(seed + 1000);
    SCOPED_TRACE(Req::descriptor()->full_name());
    // Filled, unless the message has no field at all.
    ASSERT_EQ(request.ByteSizeLong() > 0, Req::descriptor()->field_count() > 0);
    ASSERT_EQ(response.ByteSizeLong() > 0, Resp::descriptor()->field_count() > 0);
    method.Reset();
    method.Respond(response);
    absl::StatusOr<Resp> got = (client_.get()->*call)(request);
    ASSERT_OK(got);
    std::string diff;
    MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(response, *got)) << "response: " << diff;
    ASSERT_EQ(method.calls(), 1);
    diff.clear();
    EXPECT_TRUE(differ.Compare(request, method.last_request())) << "request: " << diff;
  }

  // recplat_grpc_requests_total{method, code} as a map "method code" -> count.
  std::map<std::string, double> RequestCounts() {
    std::map<std::string, double> counts;
    for (const prometheus::MetricFamily& family : registry_.Collect()) {
      if (family.name != "recplat_grpc_requests_total") continue;
      for (const prometheus::ClientMetric& metric : family.metric) {
        std::string method, code;
        for (const auto& label : metric.label) {
          if (label.name == "method") method = label.value;
          if (label.name == "code") code = label.value;
        }
        counts[method + " " + code] += metric.counter.value;
      }
    }
    return counts;
  }
};

TEST_F(GrpcRoundTripTest, EveryMethodCarriesEveryField) {
  ExpectRoundTrip(fake_.upsert_items(), &api::Api::UpsertItems, 1);
  ExpectRoundTrip(fake_.delete_items(), &api::Api::DeleteItems, 2);
  ExpectRoundTrip(fake_.get_item(), &api::Api::GetItem, 3);
  ExpectRoundTrip(fake_.list_items(), &api::Api::ListItems, 4);
  ExpectRoundTrip(fake_.upsert_users(), &api::Api::UpsertUsers, 5);
  ExpectRoundTrip(fake_.get_user(), &api::Api::GetUser, 6);
  ExpectRoundTrip(fake_.append_events(), &api::Api::AppendEvents, 8);
  ExpectRoundTrip(fake_.put_documents(), &api::Api::PutDocuments, 9);
  ExpectRoundTrip(fake_.get_documents(), &api::Api::GetDocuments, 10);
  ExpectRoundTrip(fake_.scan_documents(), &api::Api::ScanDocuments, 11);
  ExpectRoundTrip(fake_.recommend(), &api::Api::Recommend, 12);
  ExpectRoundTrip(fake_.similar_items(), &api::Api::SimilarItems, 13);
  ExpectRoundTrip(fake_.scan_served(), &api::Api::ScanServed, 14);
  ExpectRoundTrip(fake_.list_models(), &api::Api::ListModels, 15);
  ExpectRoundTrip(fake_.train(), &api::Api::Train, 16);  // wait = true: its own thread.
  ExpectRoundTrip(fake_.promote(), &api::Api::Promote, 17);
  ExpectRoundTrip(fake_.get_stats(), &api::Api::GetStats, 18);
  ExpectRoundTrip(fake_.get_config(), &api::Api::GetConfig, 19);
  ExpectRoundTrip(fake_.evaluate_served(), &api::Api::EvaluateServed, 20);
  ExpectRoundTrip(fake_.model_training_stats(), &api::Api::ModelTrainingStats, 21);
}

TEST_F(GrpcRoundTripTest, WriteCarriesEveryKindOfOp) {
  // Each seed picks another member of WriteOp's oneof (and of ShopEntity's within it).
  for (int seed = 0; seed < 14; ++seed) {
    SCOPED_TRACE(seed);
    ExpectRoundTrip(fake_.write(), &api::Api::Write, seed);
  }
  v1::WriteRequest request = Filled<v1::WriteRequest>(0);
  std::set<int> kinds;
  for (const v1::WriteOp& op : request.ops()) kinds.insert(op.op_case());
  EXPECT_EQ(kinds.size(), 2u);  // The filler varies the oneof member between elements.
}

TEST_F(GrpcRoundTripTest, TrainWithoutWaitRoundTrips) {
  v1::TrainRequest request = Filled<v1::TrainRequest>(3);
  request.set_wait(false);
  v1::TrainResponse response = Filled<v1::TrainResponse>(4);
  fake_.train().Respond(response);
  ASSERT_OK_AND_ASSIGN(v1::TrainResponse got, client_->Train(request));
  EXPECT_TRUE(MessageDifferencer::Equals(got, response));
  EXPECT_TRUE(MessageDifferencer::Equals(fake_.train().last_request(), request));
}

TEST_F(GrpcRoundTripTest, EmptyMessagesRoundTrip) {
  ASSERT_OK_AND_ASSIGN(v1::ScanServedResponse got, client_->ScanServed(v1::ScanServedRequest()));
  EXPECT_EQ(got.ByteSizeLong(), 0u);
  EXPECT_EQ(fake_.scan_served().calls(), 1);
  EXPECT_EQ(fake_.scan_served().last_request().ByteSizeLong(), 0u);
}

// Every RPC of every recplat.v1 service is served, reaches the Api method of the same name,
// and is counted as "Service/Method" in the request metrics.
TEST_F(GrpcRoundTripTest, EveryRpcOfTheContractIsServedAndCounted) {
  const std::vector<std::string> services = {"CatalogService",  "WriteService",     "EventService",
                                             "DocumentService", "RecommendService", "ModelService",
                                             "AdminService"};
  std::vector<std::string> expected_calls;
  for (const std::string& name : services) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("recplat.v1." + name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      expected_calls.push_back(service->method(i)->name());
    }
  }
  EXPECT_EQ(expected_calls.size(), 21u);  // The 21 methods of api::Api besides Ready().
  ASSERT_OK(client_->UpsertItems({}));
  ASSERT_OK(client_->DeleteItems({}));
  ASSERT_OK(client_->GetItem({}));
  ASSERT_OK(client_->ListItems({}));
  ASSERT_OK(client_->UpsertUsers({}));
  ASSERT_OK(client_->GetUser({}));
  ASSERT_OK(client_->Write({}));
  ASSERT_OK(client_->AppendEvents({}));
  ASSERT_OK(client_->PutDocuments({}));
  ASSERT_OK(client_->GetDocuments({}));
  ASSERT_OK(client_->ScanDocuments({}));
  ASSERT_OK(client_->Recommend({}));
  ASSERT_OK(client_->SimilarItems({}));
  ASSERT_OK(client_->ScanServed({}));
  ASSERT_OK(client_->ListModels({}));
  ASSERT_OK(client_->Train({}));
  ASSERT_OK(client_->Promote({}));
  ASSERT_OK(client_->GetStats({}));
  ASSERT_OK(client_->GetConfig({}));
  ASSERT_OK(client_->EvaluateServed({}));
  ASSERT_OK(client_->ModelTrainingStats({}));
  std::vector<std::string> order = fake_.CallOrder();
  EXPECT_THAT(order, ::testing::UnorderedElementsAreArray(expected_calls));

  fake_.write().Fail(absl::NotFoundError("ops[0].event.item_id: unknown item 'x'"));
  EXPECT_FALSE(client_->Write({}).ok());
  const std::map<std::string, double> counts = RequestCounts();
  for (const std::string& name : services) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("recplat.v1." + name);
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = absl::StrCat(name, "/", service->method(i)->name());
      EXPECT_EQ(counts.count(method + " OK"), 1u) << method;
    }
  }
  EXPECT_EQ(counts.at("WriteService/Write OK"), 1);
  EXPECT_EQ(counts.at("WriteService/Write NOT_FOUND"), 1);
  EXPECT_EQ(counts.at("RecommendService/ScanServed OK"), 1);
}

}  // namespace
}  // namespace recplat::grpc_frontend
