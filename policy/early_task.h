// Work that may start early on another thread and is collected later by the thread that
// needs its result. Whoever claims it first runs it: a background worker (Run), or the
// collector (Take) when no worker got to it, so a busy or absent pool costs latency, never
// a result. Cancel() claims it without running, for a message that went away.
// Thread-safety: Run, Take and Cancel may race; the work runs at most once.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <utility>

namespace kenin::policy {

template <typename T>
class EarlyTask {
 public:
  explicit EarlyTask(std::function<T()> work)
      : work_(std::move(work)), result_(done_.get_future()) {}

  // For the background worker.
  void Run() {
    if (!claimed_.exchange(true)) Execute();
  }

  // The result; runs the work here if nobody has claimed it, else waits for it.
  // REQUIRES: not cancelled, called once.
  T Take() {
    if (!claimed_.exchange(true)) Execute();
    return result_.get();
  }

  // Take() for a collector with a deadline. Unclaimed, the work is done here by `here` (the
  // same work, bounded its own way) and the original work is dropped; claimed by a worker, it
  // is waited for until `deadline`. nullopt: the worker has not finished by then (it goes on,
  // its result unused). REQUIRES: not cancelled, called once, instead of Take().
  std::optional<T> TakeUntil(std::chrono::steady_clock::time_point deadline,
                             const std::function<T()>& here) {
    if (!claimed_.exchange(true)) {
      work_ = nullptr;
      return here();
    }
    if (result_.wait_until(deadline) == std::future_status::timeout) return std::nullopt;
    return result_.get();
  }

  void Cancel() { claimed_.exchange(true); }

 private:
  void Execute() {
    try {
      done_.set_value(work_());
    } catch (...) {
      done_.set_exception(std::current_exception());  // rethrown by Take(): the caller's error path
    }
    work_ = nullptr;  // drops what the work captured (a resolver, a runtime) as soon as possible
  }

  std::function<T()> work_;
  std::atomic<bool> claimed_{false};
  std::promise<T> done_;
  std::future<T> result_;  // taken at construction: get_future() must not race set_value()
};

}  // namespace kenin::policy
