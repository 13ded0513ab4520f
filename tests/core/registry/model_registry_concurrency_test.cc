// ModelRegistry: readers taking handles while promotions swap the serving snapshot.
#include <atomic>
#include <thread>
#include <vector>

#include "tests/core/registry/registry_test_fixture.h"

namespace recplat::registry {
namespace {

using ::recplat::testing::FakeModel;

TEST_F(RegistryTest, ReadersNeverSeeAnInvalidOrOlderSnapshotWhilePromotionsRun) {
  constexpr int kReaders = 4;
  constexpr int kVersions = 40;
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  ASSERT_OK(Train(*registry, "t", 1.0).status());
  ASSERT_OK(registry->Promote("t", "knn", 1));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      int64_t last = 0;
      while (!stop.load()) {
        ModelHandle handle = registry->Current("t", "knn");
        // Every version's model holds its own number as value.
        if (handle == nullptr || handle->model == nullptr || handle->version < last ||
            dynamic_cast<const FakeModel&>(*handle->model).value() !=
                static_cast<double>(handle->version)) {
          failures.fetch_add(1);
          return;
        }
        last = handle->version;
        reads.fetch_add(1);
      }
    });
  }

  std::thread promoter([&] {
    for (int v = 2; v <= kVersions; ++v) {
      absl::StatusOr<int64_t> version = Train(*registry, "t", v);
      if (!version.ok() || *version != v) {
        failures.fetch_add(1);
        break;
      }
      // Half the promotions load the artifact, half hand over the trained model.
      std::shared_ptr<const models::Model> loaded;
      if (v % 2 == 0) {
        loaded = fake_->MakeModel(v);
      }
      if (!registry->Promote("t", "knn", v, std::move(loaded)).ok()) {
        failures.fetch_add(1);
        break;
      }
    }
  });
  promoter.join();
  // Let the readers observe the last version too.
  while (reads.load() < 1000 && failures.load() == 0) {
    std::this_thread::yield();
  }
  stop.store(true);
  for (std::thread& reader : readers) {
    reader.join();
  }

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(registry->CurrentVersion("t", "knn"), kVersions);
  EXPECT_EQ(fake_->live_models(), 1) << "only the current snapshot is alive";
  int current = 0;
  for (const v1::ModelVersion& v : registry->List("t", "knn")) {
    current += v.status() == v1::MODEL_STATUS_CURRENT ? 1 : 0;
  }
  EXPECT_EQ(current, 1);
}

TEST_F(RegistryTest, ConcurrentTrainingOfManyTenantsGetsDistinctVersions) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  ASSERT_OK_AND_ASSIGN(auto registry, Open());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Two threads per tenant, so reservations of one (tenant, model) race.
      const std::string tenant = i % 2 == 0 ? "even" : "odd";
      for (int k = 0; k < kPerThread; ++k) {
        absl::StatusOr<int64_t> version = Train(*registry, tenant, k);
        if (!version.ok() || !registry->Promote(tenant, "knn", *version).ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  for (const char* tenant : {"even", "odd"}) {
    std::map<int64_t, v1::ModelStatus> statuses = Statuses(*registry, tenant);
    EXPECT_EQ(statuses.size(), static_cast<size_t>(2 * kPerThread)) << tenant;
    EXPECT_EQ(statuses.rbegin()->first, 2 * kPerThread) << tenant;
    int current = 0;
    for (const auto& [version, status] : statuses) {
      current += status == v1::MODEL_STATUS_CURRENT ? 1 : 0;
    }
    EXPECT_EQ(current, 1) << tenant;
  }
}

}  // namespace
}  // namespace recplat::registry
