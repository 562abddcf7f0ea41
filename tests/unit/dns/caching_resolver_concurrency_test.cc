// The cache under concurrency: identical lookups in flight coalesce into one upstream query,
// a full worker queue rejects at once, queued lookups finish before destruction, and the
// counters add up under load from several threads.
#include "tests/unit/dns/cache_test_support.h"

#include <gtest/gtest.h>

namespace kenin::dns::cache_test {
namespace {

void ExpectOneQueryForConcurrentLookups(size_t worker_threads) {
  FakeClock clock;
  ScriptedBackend backend;
  CacheOptions options;
  options.worker_threads = worker_threads;
  CachingResolver cache(backend, options, clock.Fn());
  backend.Close();

  constexpr size_t kThreads = 16;
  const size_t must_return = worker_threads == 0 ? kThreads - 1 : kThreads;
  std::vector<AnswerFuture> futures(kThreads);
  std::mutex mutex;
  std::condition_variable changed;
  size_t returned = 0;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      futures[i] = cache.Lookup(Question{kName, RecordType::kTxt});
      {
        std::lock_guard lock(mutex);
        ++returned;
      }
      changed.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, kPatience, [&] { return returned >= must_return; }))
        << "only " << returned << " lookups returned while the backend held one query";
  }
  backend.Open();
  for (std::thread& thread : threads) thread.join();

  const AnswerMemo* memo = nullptr;
  for (size_t i = 0; i < kThreads; ++i) {
    ASSERT_EQ(futures[i].wait_for(kPatience), std::future_status::ready) << "lookup " << i;
    const Result<Answer>& result = futures[i].get();
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(TextOf(result), std::string("v=DKIM1; p=") + kName);
    if (memo == nullptr) memo = result->memo.get();
    EXPECT_EQ(result->memo.get(), memo) << "joiners share the answer and its memo";
  }
  EXPECT_EQ(backend.calls(), 1u);
  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.misses, kThreads);
  EXPECT_EQ(stats.coalesced, kThreads - 1);
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.TotalQueries(), 1u);
  EXPECT_EQ(stats.entries, 1u);

  // Afterwards the stored answer serves.
  EXPECT_EQ(TextOf(cache.Lookup(Question{kName, RecordType::kTxt}).get()),
            std::string("v=DKIM1; p=") + kName);
  EXPECT_EQ(cache.Stats().hits, 1u);
  EXPECT_EQ(backend.calls(), 1u);
}

TEST(CacheCoalescing, SixteenIdenticalLookupsMakeOneQueryOnTheWorkers) {
  ExpectOneQueryForConcurrentLookups(4);
}

TEST(CacheCoalescing, SixteenIdenticalLookupsMakeOneQueryInTheCallingThread) {
  ExpectOneQueryForConcurrentLookups(0);
}

TEST_F(Cache, RejectsLookupsAtOnceWhenTheWorkerQueueIsFull) {
  options_.worker_threads = 1;
  options_.max_queued = 2;
  Make();
  backend_.Close();
  AnswerFuture busy = Start("n1.example");
  ASSERT_TRUE(backend_.WaitUntilHeld(1)) << "the worker never started the first query";
  AnswerFuture queued2 = Start("n2.example");
  AnswerFuture queued3 = Start("n3.example");  // two waiting: the queue is full

  AnswerFuture rejected = Start("n4.example");
  ASSERT_EQ(rejected.wait_for(seconds(0)), std::future_status::ready) << "rejected at once";
  ASSERT_FALSE(rejected.get());
  EXPECT_EQ(rejected.get().error().code, ErrorCode::kTransport);
  EXPECT_EQ(rejected.get().error().detail, "DNS lookup queue full (threads: 1 busy, queue: 2 waiting)");

  AnswerFuture joined = Start("n2.example");  // joins a queued query: needs no queue slot
  CacheStats stats = Stats();
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.coalesced, 1u);
  EXPECT_EQ(stats.misses, 5u);

  backend_.Open();
  for (AnswerFuture* future : {&busy, &queued2, &queued3, &joined}) {
    ASSERT_EQ(future->wait_for(kPatience), std::future_status::ready);
    EXPECT_TRUE(future->get());
  }
  EXPECT_EQ(backend_.calls(), 3u);
  EXPECT_EQ(backend_.calls("n4.example"), 0u);

  // The rejection was not an upstream answer: it is neither remembered nor left in flight.
  Result<Answer> retried = Get("n4.example");
  ASSERT_TRUE(retried) << retried.error().detail;
  EXPECT_EQ(backend_.calls("n4.example"), 1u);

  stats = Stats();
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.misses, 6u);
  EXPECT_EQ(stats.TotalQueries(), 4u);
  EXPECT_EQ(stats.entries, 4u);
}

TEST_F(Cache, QueuedLookupsCompleteBeforeTheCacheIsDestroyed) {
  options_.worker_threads = 1;
  Make();
  backend_.Close();
  std::vector<AnswerFuture> futures;
  futures.push_back(Start("a.example"));
  ASSERT_TRUE(backend_.WaitUntilHeld(1));
  futures.push_back(Start("b.example"));
  futures.push_back(Start("c.example"));
  backend_.Open();
  cache_.reset();
  for (const AnswerFuture& future : futures) {
    ASSERT_EQ(future.wait_for(seconds(0)), std::future_status::ready);
    EXPECT_TRUE(future.get());
  }
  EXPECT_EQ(backend_.calls(), 3u);
}

// Many threads, many names, a small cache, time moving, answers of every kind: what each
// lookup returns matches the script, and the counters add up. Mostly food for TSan.
void ExpectConsistentUnderLoad(bool serve_stale) {
  FakeClock clock;
  ScriptedBackend backend;
  constexpr size_t kNames = 64;
  auto name_of = [](size_t i) { return "n" + std::to_string(i) + ".example"; };
  for (size_t i = 0; i < kNames; ++i) {
    switch (i % 4) {
      case 0: backend.Set(name_of(i), RecordType::kTxt, Txt(name_of(i), 7)); break;
      case 1: backend.Set(name_of(i), RecordType::kTxt, Negative(Rcode::kNxDomain, 11)); break;
      case 2: backend.Set(name_of(i), RecordType::kTxt, Negative(Rcode::kServFail, 0)); break;
      default: backend.Set(name_of(i), RecordType::kTxt, Failure()); break;
    }
  }
  if (serve_stale) {
    // Every other query of a name that has records fails, so stale answers are served.
    auto flips = std::make_shared<std::atomic<uint64_t>>(0);
    backend.OnCall([&backend, flips](const Question& q) {
      const std::string name = NormalizeName(q.name);
      const bool fail = flips->fetch_add(1) % 2 == 1;
      if (name.size() > 1 && std::stoul(name.substr(1)) % 4 == 0) {
        backend.Set(name, RecordType::kTxt, fail ? Failure() : Txt(name, 7));
      }
    });
  }
  CacheOptions options;
  options.capacity = 32;
  options.shards = 4;
  options.min_ttl = seconds(1);
  options.worker_threads = 4;
  options.max_queued = 100000;
  options.serve_stale = serve_stale;
  options.stale_answer_ttl = seconds(3);
  options.max_stale = seconds(20);
  CachingResolver cache(backend, options, clock.Fn());

  constexpr size_t kThreads = 8;
  constexpr size_t kPerThread = 1500;
  std::atomic<size_t> wrong{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < kPerThread; ++i) {
        // Half the lookups go to 8 hot names that stay cached, half sweep all 64 and evict.
        const size_t n = i % 2 == 0 ? (i / 2 + t) % 8 : (i * 7 + t * 13) % kNames;
        if (t == 0 && i % 10 == 0) clock.Advance(seconds(1));
        AnswerFuture future = cache.Lookup(Question{name_of(n), RecordType::kTxt});
        if (future.wait_for(kPatience) != std::future_status::ready) {
          ++wrong;
          return;
        }
        const Result<Answer>& result = future.get();
        bool ok = false;
        switch (n % 4) {
          case 0: ok = (result && TextOf(result) == name_of(n)) || (serve_stale && !result); break;
          case 1: ok = result && result->rcode == Rcode::kNxDomain; break;
          case 2: ok = result && result->rcode == Rcode::kServFail; break;
          default: ok = !result && result.error().code == ErrorCode::kTimeout; break;
        }
        if (!ok) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0u);

  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.hits + stats.misses, kThreads * kPerThread);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.TotalQueries(), backend.calls());
  EXPECT_EQ(stats.misses - stats.coalesced, backend.calls());
  EXPECT_EQ(stats.latency_count, backend.calls());
  EXPECT_LE(stats.entries, 32u);
  if (!serve_stale) {
    EXPECT_EQ(stats.stale_served, 0u);
  }
}

TEST(CacheUnderLoad, CountersAddUpAndAnswersMatch) { ExpectConsistentUnderLoad(false); }

TEST(CacheUnderLoad, CountersAddUpAndAnswersMatchWithServeStale) {
  ExpectConsistentUnderLoad(true);
}

}  // namespace
}  // namespace kenin::dns::cache_test
