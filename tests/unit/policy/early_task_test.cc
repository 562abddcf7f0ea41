// EarlyTask (policy/early_task.h): the work runs exactly once, on whichever side claims it.
#include "policy/early_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kenin::policy {
namespace {

TEST(EarlyTask, WorkerRunsItAndTakeWaitsForTheResult) {
  int runs = 0;
  EarlyTask<int> task([&runs] { return ++runs * 10; });
  std::thread worker([&task] { task.Run(); });
  EXPECT_EQ(task.Take(), 10);
  worker.join();
  EXPECT_EQ(runs, 1);
}

TEST(EarlyTask, TakeRunsItWhenNoWorkerDid) {
  int runs = 0;
  EarlyTask<int> task([&runs] { return ++runs; });
  EXPECT_EQ(task.Take(), 1);
  task.Run();  // too late: already claimed
  EXPECT_EQ(runs, 1);
}

TEST(EarlyTask, CancelledWorkNeverRuns) {
  bool ran = false;
  EarlyTask<int> task([&ran] {
    ran = true;
    return 0;
  });
  task.Cancel();
  task.Run();
  EXPECT_FALSE(ran);
}

TEST(EarlyTask, AnExceptionReachesTheCollector) {
  EarlyTask<int> task([]() -> int { throw std::runtime_error("lookup exploded"); });
  task.Run();
  EXPECT_THROW(task.Take(), std::runtime_error);
}

TEST(EarlyTask, RacingClaimsRunTheWorkOnce) {
  for (int round = 0; round < 200; ++round) {
    std::atomic<int> runs{0};
    EarlyTask<int> task([&runs] { return ++runs; });
    std::vector<std::thread> workers;
    for (int i = 0; i < 3; ++i) workers.emplace_back([&task] { task.Run(); });
    EXPECT_EQ(task.Take(), 1);
    for (std::thread& w : workers) w.join();
    EXPECT_EQ(runs.load(), 1);
  }
}

}  // namespace
}  // namespace kenin::policy
