// A fixed set of threads running queued tasks, with a bounded queue: at most `threads` tasks
// run and `max_queued` wait; beyond that TrySubmit() says so at once instead of letting
// lookups pile up without limit. A task handed to an idle thread takes no queue room, so
// max_queued = 0 means "run now or refuse".
// Thread-safety: all methods may be called from any thread. The destructor runs the tasks
// already queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kenin::dns {

class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when every thread is busy and max_queued tasks wait already; the task is not run.
  bool TrySubmit(std::function<void()> task);

 private:
  void Run();

  const size_t threads_count_;
  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  size_t running_ = 0;                       // tasks taken by a thread; guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace kenin::dns
