// The cache in front of any BlockingResolver (SPEC §3): TTL-aware LRU, negative caching
// (RFC 2308), short SERVFAIL caching, optional serve-stale (RFC 8767), coalescing of
// identical queries in flight, and a bounded worker pool so lookups never block the caller.
// Thread-safety: Lookup() and Stats() may be called from any thread. The cache is sharded
// by name; a hit takes one shard's lock, never a global one.
// `backend` must outlive the CachingResolver.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/query_stats.h"
#include "dns/resolver.h"
#include "dns/worker_pool.h"

namespace kenin::dns {

using Clock = std::chrono::steady_clock;
using ClockFn = std::function<Clock::time_point()>;

struct CacheOptions {
  size_t capacity = 10000;  // entries in all shards together; 0 disables caching
  size_t shards = 16;
  std::chrono::seconds min_ttl{5};                // positive TTLs are clamped to
  std::chrono::seconds max_ttl{86400};            //   [min_ttl, max_ttl]
  std::chrono::seconds max_negative_ttl{3600};    // RFC 2308 §5: NXDOMAIN/NODATA cap
  std::chrono::seconds servfail_ttl{5};           // RFC 2308 §7.1: short SERVFAIL caching
  bool serve_stale = false;                       // RFC 8767, off by default
  std::chrono::seconds max_stale{86400};          // how long past expiry an entry may serve
  std::chrono::seconds stale_answer_ttl{30};      // RFC 8767 §4: TTL of a stale answer
  size_t worker_threads = 4;  // lookups run at once; 0: resolve in the calling thread (tests, zone files)
  size_t max_queued = 1024;   // lookups waiting for a busy worker; beyond it they fail at once
};

class CachingResolver : public Resolver {
 public:
  CachingResolver(BlockingResolver& backend, const CacheOptions& options,
                  ClockFn clock = [] { return Clock::now(); });
  ~CachingResolver() override;

  AnswerFuture Lookup(const Question& question) override;
  CacheStats Stats() const { return stats_.Snapshot(); }

 private:
  struct Entry;
  struct Shard;
  struct Flight;

  Shard& ShardFor(const std::string& key);
  // Runs the upstream query for `key` and lands it. Called on a worker (or inline).
  void Fetch(const Question& question, const std::string& key);
  // Stores `result` (or serves stale instead), ends the flight and wakes its waiters.
  void Land(Shard& shard, const std::string& key, Result<Answer> result, bool store);
  void Store(Shard& shard, const std::string& key, const Result<Answer>& result,
             Clock::time_point now);
  // How long `result` may be cached; nullopt: not at all.
  std::optional<Clock::duration> TtlFor(const Result<Answer>& result) const;

  BlockingResolver& backend_;
  const CacheOptions options_;
  const ClockFn clock_;
  QueryStats stats_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<WorkerPool> pool_;  // last: joined first, while the shards still exist
};

}  // namespace kenin::dns
