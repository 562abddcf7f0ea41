#include "dns/query_stats.h"

namespace kenin::dns {

std::string_view ToString(QueryOutcome outcome) {
  switch (outcome) {
    case QueryOutcome::kNoError: return "NOERROR";
    case QueryOutcome::kNxDomain: return "NXDOMAIN";
    case QueryOutcome::kServFail: return "SERVFAIL";
    case QueryOutcome::kRefused: return "REFUSED";
    case QueryOutcome::kTimeout: return "timeout";
    case QueryOutcome::kError: return "error";
  }
  return "error";
}

size_t RecordTypeIndex(RecordType type) {
  switch (type) {
    case RecordType::kA: return 0;
    case RecordType::kPtr: return 1;
    case RecordType::kMx: return 2;
    case RecordType::kTxt: return 3;
    case RecordType::kAaaa: return 4;
  }
  return 3;
}

RecordType RecordTypeAt(size_t index) {
  static constexpr RecordType kTypes[kRecordTypes] = {RecordType::kA, RecordType::kPtr, RecordType::kMx,
                                                      RecordType::kTxt, RecordType::kAaaa};
  return kTypes[index % kRecordTypes];
}

QueryOutcome OutcomeOf(const Result<Answer>& result) {
  if (!result) return result.error().code == ErrorCode::kTimeout ? QueryOutcome::kTimeout : QueryOutcome::kError;
  switch (result->rcode) {
    case Rcode::kNoError: return QueryOutcome::kNoError;
    case Rcode::kNxDomain: return QueryOutcome::kNxDomain;
    case Rcode::kServFail: return QueryOutcome::kServFail;
    case Rcode::kRefused: return QueryOutcome::kRefused;
  }
  return QueryOutcome::kError;
}

uint64_t CacheStats::TotalQueries() const {
  uint64_t total = 0;
  for (const auto& by_outcome : queries) {
    for (uint64_t n : by_outcome) total += n;
  }
  return total;
}

void QueryStats::RecordQuery(RecordType type, QueryOutcome outcome, std::chrono::nanoseconds latency) {
  queries_[RecordTypeIndex(type)][static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) latency_counts_[i].fetch_add(1, std::memory_order_relaxed);
  }
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
}

CacheStats QueryStats::Snapshot() const {
  CacheStats s;
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.coalesced = coalesced_.load(std::memory_order_relaxed);
  s.evictions = evictions_.load(std::memory_order_relaxed);
  s.stale_served = stale_served_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  int64_t entries = entries_.load(std::memory_order_relaxed);
  s.entries = entries > 0 ? static_cast<uint64_t>(entries) : 0;
  for (size_t t = 0; t < kRecordTypes; ++t) {
    for (size_t o = 0; o < kQueryOutcomes; ++o) s.queries[t][o] = queries_[t][o].load(std::memory_order_relaxed);
  }
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    s.latency_counts[i] = latency_counts_[i].load(std::memory_order_relaxed);
  }
  s.latency_count = latency_count_.load(std::memory_order_relaxed);
  s.latency_sum_seconds = static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

}  // namespace kenin::dns
