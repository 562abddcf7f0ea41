// Test support for the cache tests: a fake clock, a scripted backend that returns the
// answers a test sets, counts its calls and can hold them at a gate, and the Cache fixture.
#pragma once

#include "dns/caching_resolver.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "dns/query_stats.h"

namespace kenin::dns::cache_test {

using std::chrono::seconds;

// How long a test waits for something another thread must do before it calls it a failure.
// Only reached when the code under test is wrong (a deadlock, a lost wake-up).
inline constexpr seconds kPatience{30};

inline constexpr char kName[] = "sel._domainkey.example.com";

// The clock the cache reads. Starts far from the epoch so that no value the cache might use
// as "never" is close; moved only by the test.
class FakeClock {
 public:
  static constexpr Clock::time_point kStart{std::chrono::hours(1000)};

  ClockFn Fn() {
    return [this] { return Clock::time_point(Clock::duration(ticks_.load())); };
  }
  // Moves to kStart + since_start.
  void Set(Clock::duration since_start) {
    ticks_.store((kStart + since_start).time_since_epoch().count());
  }
  void Advance(Clock::duration by) { ticks_.fetch_add(by.count()); }

 private:
  std::atomic<Clock::rep> ticks_{kStart.time_since_epoch().count()};
};

inline Answer Txt(std::string text, uint32_t ttl) {
  Answer answer;
  answer.records.push_back(Record{{std::move(text)}, ttl});
  answer.ttl = ttl;
  return answer;
}

// NXDOMAIN, or NODATA with kNoError; `ttl` is what the SOA said (0: no SOA in the reply).
inline Answer Negative(Rcode rcode, uint32_t ttl) {
  Answer answer;
  answer.rcode = rcode;
  answer.ttl = ttl;
  return answer;
}

inline Result<Answer> Failure(ErrorCode code = ErrorCode::kTimeout) {
  return tl::unexpected(Error{code, "scripted failure"});
}

// A BlockingResolver that answers from a script. Every reply gets a memo of its own, as
// replies from the network do, so memo sharing seen by the caller is the cache's doing.
// Names are scripted and counted under NormalizeName, as the cache compares them.
class ScriptedBackend : public BlockingResolver {
 public:
  // The reply for (name, type) from now on. Unscripted names get a TXT record naming them
  // with TTL 300.
  void Set(std::string_view name, RecordType type, Result<Answer> result) {
    std::lock_guard lock(mutex_);
    script_[Key(name, type)] = std::move(result);
  }
  // Runs at the start of every call (outside the backend's lock), e.g. to move the clock.
  void OnCall(std::function<void(const Question&)> hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
  }
  // While closed, every call waits in Resolve() until Open().
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      closed_ = false;
    }
    changed_.notify_all();
  }
  // Waits until `count` calls are held at the closed gate. False after kPatience.
  bool WaitUntilHeld(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return held_ >= count; });
  }

  size_t calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  size_t calls(std::string_view name, RecordType type = RecordType::kTxt) const {
    std::lock_guard lock(mutex_);
    auto it = calls_by_key_.find(Key(name, type));
    return it == calls_by_key_.end() ? 0 : it->second;
  }

  Result<Answer> Resolve(const Question& question) override {
    std::function<void(const Question&)> hook;
    Result<Answer> result;
    {
      std::unique_lock lock(mutex_);
      const std::pair<std::string, RecordType> key = Key(question.name, question.type);
      ++calls_;
      ++calls_by_key_[key];
      ++held_;
      changed_.notify_all();
      changed_.wait_for(lock, kPatience, [this] { return !closed_; });
      --held_;
      hook = hook_;
      auto it = script_.find(key);
      result = it != script_.end() ? it->second : Txt("v=DKIM1; p=" + key.first, 300);
    }
    if (hook) hook(question);
    if (result) result->memo = std::make_shared<AnswerMemo>();
    return result;
  }

 private:
  static std::pair<std::string, RecordType> Key(std::string_view name, RecordType type) {
    return {NormalizeName(name), type};
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::pair<std::string, RecordType>, Result<Answer>> script_;
  std::map<std::pair<std::string, RecordType>, size_t> calls_by_key_;
  std::function<void(const Question&)> hook_;
  size_t calls_ = 0;
  size_t held_ = 0;
  bool closed_ = false;
};

inline uint64_t Queries(const CacheStats& stats, RecordType type, QueryOutcome outcome) {
  return stats.queries[RecordTypeIndex(type)][static_cast<size_t>(outcome)];
}

// The first string of the first record, or what the result is instead.
inline std::string TextOf(const Result<Answer>& result) {
  if (!result) return "<error: " + result.error().detail + ">";
  if (result->records.empty() || result->records.front().strings.empty()) return "<no records>";
  return result->records.front().strings.front();
}

class Cache : public ::testing::Test {
 protected:
  Cache() {
    options_.capacity = 100;
    options_.shards = 4;
    options_.worker_threads = 0;  // deterministic: the backend runs inside Lookup()
  }

  CachingResolver& Make() {
    cache_ = std::make_unique<CachingResolver>(backend_, options_, clock_.Fn());
    return *cache_;
  }

  AnswerFuture Start(std::string_view name, RecordType type = RecordType::kTxt) {
    return cache_->Lookup(Question{std::string(name), type});
  }

  // One lookup, waited for.
  Result<Answer> Get(std::string_view name, RecordType type = RecordType::kTxt) {
    AnswerFuture future = Start(name, type);
    if (future.wait_for(kPatience) != std::future_status::ready) {
      ADD_FAILURE() << "lookup of " << name << " never completed";
      return tl::unexpected(Error{ErrorCode::kTimeout, "test: never completed"});
    }
    return future.get();
  }

  CacheStats Stats() const { return cache_->Stats(); }

  FakeClock clock_;
  ScriptedBackend backend_;
  CacheOptions options_;
  std::unique_ptr<CachingResolver> cache_;  // last: destroyed before what it uses
};

// --- TTL expiry and clamps ---------------------------------------------------------------
}  // namespace kenin::dns::cache_test
