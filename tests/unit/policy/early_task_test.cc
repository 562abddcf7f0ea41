// EarlyTask (policy/early_task.h): the work runs exactly once, on whichever side claims it.
#include "policy/early_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
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

// TakeUntil: the end-of-message time budget (policy/message_session.h).
TEST(EarlyTask, TakeUntilRunsTheBoundedWorkHereWhenUnclaimed) {
  bool original_ran = false;
  EarlyTask<int> task([&original_ran] {
    original_ran = true;
    return 1;
  });
  std::optional<int> result =
      task.TakeUntil(std::chrono::steady_clock::now(), [] { return 2; });  // deadline past
  EXPECT_EQ(result, 2);
  task.Run();  // too late: claimed
  EXPECT_FALSE(original_ran);
}

TEST(EarlyTask, TakeUntilGivesUpOnAWorkerStillRunningAtTheDeadline) {
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  EarlyTask<int> task([&started, released] {
    started.set_value();
    released.wait();  // a lookup that does not come back in time
    return 1;
  });
  std::thread worker([&task] { task.Run(); });
  started.get_future().wait();  // the worker has claimed it
  const auto start = std::chrono::steady_clock::now();
  std::optional<int> result =
      task.TakeUntil(start + std::chrono::milliseconds(50), [] { return -1; });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(result.has_value());
  EXPECT_GE(waited, std::chrono::milliseconds(50));
  EXPECT_LT(waited, std::chrono::seconds(5));
  release.set_value();  // the worker finishes after all; its result is unused
  worker.join();
}

TEST(EarlyTask, TakeUntilReturnsAWorkerResultReadyInTime) {
  EarlyTask<int> task([] { return 7; });
  task.Run();
  EXPECT_EQ(task.TakeUntil(std::chrono::steady_clock::now(), [] { return -1; }), 7);
}

}  // namespace
}  // namespace kenin::policy
