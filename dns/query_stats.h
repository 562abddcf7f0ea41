// Counters and timings of a resolver, kept as plain atomics so the hot path pays one
// relaxed increment; metrics/ reads a Snapshot() and exports it (SPEC §7:
// kenin_dns_queries_total{type,rcode}, kenin_dns_query_duration_seconds, cache counters).
// Thread-safety: every method may be called concurrently.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "dns/resolver.h"

namespace kenin::dns {

// How an upstream query ended: the rcode of its answer, or how it failed.
enum class QueryOutcome : uint8_t { kNoError, kNxDomain, kServFail, kRefused, kTimeout, kError };
inline constexpr size_t kQueryOutcomes = 6;
inline constexpr size_t kRecordTypes = 5;  // A, PTR, MX, TXT, AAAA
std::string_view ToString(QueryOutcome outcome);  // "NOERROR", "NXDOMAIN", ..., "timeout"
size_t RecordTypeIndex(RecordType type);
RecordType RecordTypeAt(size_t index);
QueryOutcome OutcomeOf(const Result<Answer>& result);

// Upper bounds of the latency buckets, in seconds: sub-millisecond to the longest timeout.
inline constexpr std::array<double, 12> kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

struct CacheStats {
  uint64_t hits = 0;          // answered from a fresh entry
  uint64_t misses = 0;        // needed an upstream query (or joined one in flight)
  uint64_t coalesced = 0;     // misses that joined an identical query already in flight
  uint64_t evictions = 0;     // entries pushed out by capacity (LRU), not by expiry
  uint64_t stale_served = 0;  // RFC 8767 answers served past their TTL
  uint64_t rejected = 0;      // lookups refused because the worker queue was full
  uint64_t entries = 0;       // entries held now
  // queries[type][outcome]: upstream queries as they ended.
  std::array<std::array<uint64_t, kQueryOutcomes>, kRecordTypes> queries{};
  // Cumulative latency histogram of upstream queries: counts[i] = queries <= bucket i.
  std::array<uint64_t, kLatencyBuckets.size()> latency_counts{};
  uint64_t latency_count = 0;
  double latency_sum_seconds = 0;

  uint64_t TotalQueries() const;
};

class QueryStats {
 public:
  void RecordQuery(RecordType type, QueryOutcome outcome, std::chrono::nanoseconds latency);
  void AddHit() { hits_.fetch_add(1, std::memory_order_relaxed); }
  void AddMiss() { misses_.fetch_add(1, std::memory_order_relaxed); }
  void AddCoalesced() { coalesced_.fetch_add(1, std::memory_order_relaxed); }
  void AddEviction() { evictions_.fetch_add(1, std::memory_order_relaxed); }
  void AddStaleServed() { stale_served_.fetch_add(1, std::memory_order_relaxed); }
  void AddRejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  void AddEntries(int64_t delta) { entries_.fetch_add(delta, std::memory_order_relaxed); }
  CacheStats Snapshot() const;

 private:
  std::atomic<uint64_t> hits_{0}, misses_{0}, coalesced_{0}, evictions_{0}, stale_served_{0},
      rejected_{0};
  std::atomic<int64_t> entries_{0};
  std::array<std::array<std::atomic<uint64_t>, kQueryOutcomes>, kRecordTypes> queries_{};
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size()> latency_counts_{};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_ns_{0};
};

}  // namespace kenin::dns
