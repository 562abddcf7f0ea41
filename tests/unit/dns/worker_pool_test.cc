// The bounded worker pool under the cache: every accepted task runs, several at once; a full
// queue refuses at once; the destructor runs what is queued, then joins. Nothing sleeps:
// tasks hold on a gate the test opens.
#include "dns/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace kenin::dns {
namespace {

constexpr std::chrono::seconds kPatience{30};  // reached only when the pool is wrong

// Tasks wait at the gate until it opens; the test can wait until `n` tasks are there.
class Gate {
 public:
  void Pass() {
    std::unique_lock lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    changed_.wait_for(lock, kPatience, [this] { return open_; });
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  bool WaitForArrivals(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return arrived_ >= count; });
  }
  size_t arrived() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t arrived_ = 0;
  bool open_ = false;
};

TEST(WorkerPool, RunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(4, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  }
  EXPECT_EQ(ran.load(), 500);
}

TEST(WorkerPool, RunsTasksOnAllItsThreadsAtOnce) {
  // Four tasks that each wait for the other three can only finish on four threads.
  Gate gate;
  WorkerPool pool(4, 16);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.TrySubmit([&] { gate.Pass(); }));
  EXPECT_TRUE(gate.WaitForArrivals(4)) << "only " << gate.arrived() << " tasks ran at once";
  gate.Open();
}

TEST(WorkerPool, RefusesTasksBeyondMaxQueued) {
  Gate gate;
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1, 2);
    ASSERT_TRUE(pool.TrySubmit([&] {
      gate.Pass();
      ++ran;
    }));
    ASSERT_TRUE(gate.WaitForArrivals(1));  // the only thread is busy, the queue empty
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_FALSE(pool.TrySubmit([&] { ran += 100; })) << "a third waiting task";
    gate.Open();
  }
  EXPECT_EQ(ran.load(), 3) << "the refused task never ran";
}

// Tasks for idle threads need no queue room: with max_queued = 0 the pool runs what its threads
// can take and refuses the rest ("run now or refuse", [dns] max_queued_lookups = 0). Before the
// threads have even picked them up, the third is refused and the first two still run together.
TEST(WorkerPool, IdleThreadsNeedNoQueueRoom) {
  Gate gate;
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2, 0);
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] {
        gate.Pass();
        ++ran;
      })) << "task " << i << " for an idle thread";
    }
    EXPECT_FALSE(pool.TrySubmit([&] { ran += 100; })) << "both threads taken, no queue";
    EXPECT_TRUE(gate.WaitForArrivals(2)) << "the two ran at once";
    gate.Open();
  }
  EXPECT_EQ(ran.load(), 2);
}

TEST(WorkerPool, AcceptsAgainOnceTheQueueDrains) {
  Gate first;
  Gate second;
  WorkerPool pool(1, 1);
  ASSERT_TRUE(pool.TrySubmit([&] { first.Pass(); }));
  ASSERT_TRUE(first.WaitForArrivals(1));
  ASSERT_TRUE(pool.TrySubmit([&] { second.Pass(); }));
  EXPECT_FALSE(pool.TrySubmit([] {}));
  first.Open();
  ASSERT_TRUE(second.WaitForArrivals(1));  // the queued task is running: the queue is empty
  EXPECT_TRUE(pool.TrySubmit([] {}));
  second.Open();
}

TEST(WorkerPool, DestructorRunsQueuedTasksThenJoins) {
  Gate gate;
  auto ran = std::make_shared<std::atomic<int>>(0);
  {
    WorkerPool pool(1, 8);
    ASSERT_TRUE(pool.TrySubmit([&] { gate.Pass(); }));
    ASSERT_TRUE(gate.WaitForArrivals(1));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.TrySubmit([ran] { ++*ran; }));
    gate.Open();
  }  // the queue still held tasks when the destructor began, or some of them
  EXPECT_EQ(ran->load(), 5);
}

}  // namespace
}  // namespace kenin::dns
