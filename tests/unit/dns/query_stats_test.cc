// The resolver counters: queries by type and outcome, the cumulative latency histogram with
// inclusive bucket bounds, the cache counters, and the labels metrics/ exports them under.
#include "dns/query_stats.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace kenin::dns {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

uint64_t At(const CacheStats& stats, RecordType type, QueryOutcome outcome) {
  return stats.queries[RecordTypeIndex(type)][static_cast<size_t>(outcome)];
}

TEST(QueryStats, StartsAtZero) {
  QueryStats stats;
  CacheStats s = stats.Snapshot();
  EXPECT_EQ(s.hits + s.misses + s.coalesced + s.evictions + s.stale_served + s.rejected, 0u);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.TotalQueries(), 0u);
  EXPECT_EQ(s.latency_count, 0u);
  EXPECT_EQ(s.latency_sum_seconds, 0.0);
  for (uint64_t count : s.latency_counts) EXPECT_EQ(count, 0u);
}

TEST(QueryStats, CountsQueriesByTypeAndOutcome) {
  QueryStats stats;
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNoError, milliseconds(1));
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNoError, milliseconds(1));
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNxDomain, milliseconds(1));
  stats.RecordQuery(RecordType::kA, QueryOutcome::kServFail, milliseconds(1));
  stats.RecordQuery(RecordType::kAaaa, QueryOutcome::kTimeout, milliseconds(1));
  stats.RecordQuery(RecordType::kMx, QueryOutcome::kRefused, milliseconds(1));
  stats.RecordQuery(RecordType::kPtr, QueryOutcome::kError, milliseconds(1));
  CacheStats s = stats.Snapshot();
  EXPECT_EQ(At(s, RecordType::kTxt, QueryOutcome::kNoError), 2u);
  EXPECT_EQ(At(s, RecordType::kTxt, QueryOutcome::kNxDomain), 1u);
  EXPECT_EQ(At(s, RecordType::kA, QueryOutcome::kServFail), 1u);
  EXPECT_EQ(At(s, RecordType::kAaaa, QueryOutcome::kTimeout), 1u);
  EXPECT_EQ(At(s, RecordType::kMx, QueryOutcome::kRefused), 1u);
  EXPECT_EQ(At(s, RecordType::kPtr, QueryOutcome::kError), 1u);
  EXPECT_EQ(At(s, RecordType::kA, QueryOutcome::kNoError), 0u);
  EXPECT_EQ(s.TotalQueries(), 7u);
  EXPECT_EQ(s.latency_count, 7u);
}

TEST(QueryStats, LatencyBucketsAreCumulativeWithInclusiveBounds) {
  QueryStats stats;
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNoError, microseconds(500));  // le=0.0005
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNoError, milliseconds(3));    // le=0.005
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNoError, milliseconds(2500)); // le=2.5
  stats.RecordQuery(RecordType::kTxt, QueryOutcome::kTimeout, milliseconds(6000)); // +Inf only
  CacheStats s = stats.Snapshot();
  const std::vector<uint64_t> expected = {1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3};
  ASSERT_EQ(expected.size(), s.latency_counts.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(s.latency_counts[i], expected[i]) << "le=" << kLatencyBuckets[i];
  }
  EXPECT_EQ(s.latency_count, 4u) << "the +Inf bucket holds every query";
  EXPECT_NEAR(s.latency_sum_seconds, 0.0005 + 0.003 + 2.5 + 6.0, 1e-9);
}

TEST(QueryStats, BucketBoundsAscend) {
  for (size_t i = 1; i < kLatencyBuckets.size(); ++i) {
    EXPECT_LT(kLatencyBuckets[i - 1], kLatencyBuckets[i]);
  }
}

TEST(QueryStats, SnapshotCarriesTheCacheCounters) {
  QueryStats stats;
  for (int i = 0; i < 3; ++i) stats.AddHit();
  for (int i = 0; i < 5; ++i) stats.AddMiss();
  for (int i = 0; i < 2; ++i) stats.AddCoalesced();
  stats.AddEviction();
  for (int i = 0; i < 4; ++i) stats.AddStaleServed();
  for (int i = 0; i < 6; ++i) stats.AddRejected();
  stats.AddEntries(10);
  stats.AddEntries(-3);
  CacheStats s = stats.Snapshot();
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.misses, 5u);
  EXPECT_EQ(s.coalesced, 2u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.stale_served, 4u);
  EXPECT_EQ(s.rejected, 6u);
  EXPECT_EQ(s.entries, 7u);
}

TEST(QueryStats, RecordTypeIndexIsDenseAndRoundTrips) {
  std::set<size_t> seen;
  for (RecordType type :
       {RecordType::kA, RecordType::kPtr, RecordType::kMx, RecordType::kTxt, RecordType::kAaaa}) {
    const size_t index = RecordTypeIndex(type);
    EXPECT_LT(index, kRecordTypes) << ToString(type);
    EXPECT_EQ(RecordTypeAt(index), type) << ToString(type);
    seen.insert(index);
  }
  EXPECT_EQ(seen.size(), kRecordTypes);
}

TEST(QueryStats, OutcomeOfAnAnswerIsItsRcodeAndOfAFailureItsKind) {
  auto answer = [](Rcode rcode) {
    Answer a;
    a.rcode = rcode;
    return Result<Answer>(a);
  };
  auto failure = [](ErrorCode code) { return Result<Answer>(tl::unexpected(Error{code, "x"})); };
  EXPECT_EQ(OutcomeOf(answer(Rcode::kNoError)), QueryOutcome::kNoError);
  EXPECT_EQ(OutcomeOf(answer(Rcode::kNxDomain)), QueryOutcome::kNxDomain);
  EXPECT_EQ(OutcomeOf(answer(Rcode::kServFail)), QueryOutcome::kServFail);
  EXPECT_EQ(OutcomeOf(answer(Rcode::kRefused)), QueryOutcome::kRefused);
  EXPECT_EQ(OutcomeOf(failure(ErrorCode::kTimeout)), QueryOutcome::kTimeout);
  EXPECT_EQ(OutcomeOf(failure(ErrorCode::kBadReply)), QueryOutcome::kError);
  EXPECT_EQ(OutcomeOf(failure(ErrorCode::kTransport)), QueryOutcome::kError);
}

TEST(QueryStats, OutcomeLabelsAreDistinctAndRcodesUseTheirMnemonics) {
  EXPECT_EQ(ToString(QueryOutcome::kNoError), "NOERROR");
  EXPECT_EQ(ToString(QueryOutcome::kNxDomain), "NXDOMAIN");
  EXPECT_EQ(ToString(QueryOutcome::kServFail), "SERVFAIL");
  EXPECT_EQ(ToString(QueryOutcome::kRefused), "REFUSED");
  EXPECT_EQ(ToString(QueryOutcome::kTimeout), "timeout");
  std::set<std::string> labels;
  for (size_t i = 0; i < kQueryOutcomes; ++i) {
    labels.insert(std::string(ToString(static_cast<QueryOutcome>(i))));
  }
  EXPECT_EQ(labels.size(), kQueryOutcomes);
}

TEST(QueryStats, ConcurrentRecordingLosesNothing) {
  QueryStats stats;
  constexpr int kThreads = 4;
  constexpr int kEach = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        stats.RecordQuery(RecordType::kTxt, QueryOutcome::kNoError, nanoseconds(1000));
        stats.AddHit();
        stats.AddEntries(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CacheStats s = stats.Snapshot();
  constexpr uint64_t kTotal = kThreads * kEach;
  EXPECT_EQ(At(s, RecordType::kTxt, QueryOutcome::kNoError), kTotal);
  EXPECT_EQ(s.latency_count, kTotal);
  EXPECT_EQ(s.latency_counts.back(), kTotal);
  EXPECT_EQ(s.hits, kTotal);
  EXPECT_EQ(s.entries, kTotal);
  EXPECT_NEAR(s.latency_sum_seconds, kTotal * 1e-6, 1e-9);
}

}  // namespace
}  // namespace kenin::dns
