// The cache in front of a backend (SPEC §3): TTL expiry and clamps, negative caching
// (RFC 2308), short SERVFAIL and error caching, serve-stale (RFC 8767), LRU eviction per
// shard, coalescing of identical lookups in flight, the bounded worker queue, the answer memo
// and the counters. The backend is scripted: it returns the answers a test sets, counts its
// calls and can hold them at a gate. Time is a fake clock the test moves; nothing sleeps.
#include "tests/unit/dns/cache_test_support.h"

#include <gtest/gtest.h>

namespace kenin::dns::cache_test {
namespace {


TEST_F(Cache, PositiveAnswerIsFreshUntilItsTtl) {
  backend_.Set(kName, RecordType::kTxt, Txt("v=DKIM1; p=AAAA", 300));
  Make();
  Result<Answer> first = Get(kName);
  ASSERT_TRUE(first);
  EXPECT_EQ(TextOf(first), "v=DKIM1; p=AAAA");
  EXPECT_EQ(backend_.calls(), 1u);

  clock_.Set(seconds(299));
  EXPECT_EQ(TextOf(Get(kName)), "v=DKIM1; p=AAAA");
  EXPECT_EQ(backend_.calls(), 1u) << "a hit one second before expiry";

  clock_.Set(seconds(300));
  EXPECT_EQ(TextOf(Get(kName)), "v=DKIM1; p=AAAA");
  EXPECT_EQ(backend_.calls(), 2u) << "expired at exactly the TTL";

  CacheStats stats = Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.coalesced, 0u);
  EXPECT_EQ(stats.evictions, 0u) << "replacing an expired entry is not an eviction";
  EXPECT_EQ(stats.entries, 1u) << "the refreshed entry replaced the expired one";
  EXPECT_EQ(Queries(stats, RecordType::kTxt, QueryOutcome::kNoError), 2u);
  EXPECT_EQ(stats.TotalQueries(), 2u);
}

TEST_F(Cache, ShortTtlIsRaisedToMinTtl) {
  options_.min_ttl = seconds(60);
  backend_.Set(kName, RecordType::kTxt, Txt("short", 10));
  Make();
  Get(kName);
  clock_.Set(seconds(59));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 1u) << "kept past its own TTL of 10 s, up to min_ttl";
  clock_.Set(seconds(60));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u);
}

TEST_F(Cache, ZeroTtlPositiveAnswerIsKeptForMinTtl) {
  options_.min_ttl = seconds(5);
  backend_.Set(kName, RecordType::kTxt, Txt("zero", 0));
  Make();
  Get(kName);
  Get(kName);
  clock_.Set(seconds(4));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 1u);
  clock_.Set(seconds(5));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u);
}

TEST_F(Cache, LongTtlIsCutToMaxTtl) {
  options_.max_ttl = seconds(3600);
  backend_.Set(kName, RecordType::kTxt, Txt("long", 7 * 86400));
  Make();
  Get(kName);
  clock_.Set(seconds(3599));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 1u);
  clock_.Set(seconds(3600));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u) << "asked again at max_ttl, long before the record's TTL";
}

// --- Negative caching (RFC 2308) ---------------------------------------------------------

TEST_F(Cache, NxdomainIsCachedForItsNegativeTtl) {
  backend_.Set(kName, RecordType::kTxt, Negative(Rcode::kNxDomain, 120));
  Make();
  EXPECT_EQ(Get(kName)->rcode, Rcode::kNxDomain);
  clock_.Set(seconds(119));
  Result<Answer> hit = Get(kName);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->rcode, Rcode::kNxDomain);
  EXPECT_TRUE(hit->records.empty());
  EXPECT_EQ(backend_.calls(), 1u);
  clock_.Set(seconds(120));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u);

  CacheStats stats = Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(Queries(stats, RecordType::kTxt, QueryOutcome::kNxDomain), 2u);
  EXPECT_EQ(stats.TotalQueries(), 2u);
}

TEST_F(Cache, NodataIsCachedForItsNegativeTtl) {
  backend_.Set(kName, RecordType::kTxt, Negative(Rcode::kNoError, 120));
  Make();
  Get(kName);
  clock_.Set(seconds(119));
  Result<Answer> hit = Get(kName);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->rcode, Rcode::kNoError);
  EXPECT_TRUE(hit->records.empty());
  EXPECT_EQ(backend_.calls(), 1u);
  clock_.Set(seconds(120));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u);
  EXPECT_EQ(Queries(Stats(), RecordType::kTxt, QueryOutcome::kNoError), 2u);
}

TEST_F(Cache, NegativeTtlIsCappedAtMaxNegativeTtl) {
  options_.max_negative_ttl = seconds(600);
  for (Rcode rcode : {Rcode::kNxDomain, Rcode::kNoError}) {
    SCOPED_TRACE(rcode == Rcode::kNxDomain ? "NXDOMAIN" : "NODATA");
    const std::string name = rcode == Rcode::kNxDomain ? "nx.example.com" : "nodata.example.com";
    backend_.Set(name, RecordType::kTxt, Negative(rcode, 86400));
    clock_.Set(seconds(0));
    Make();
    Get(name);
    clock_.Set(seconds(599));
    Get(name);
    EXPECT_EQ(backend_.calls(name), 1u);
    clock_.Set(seconds(600));
    Get(name);
    EXPECT_EQ(backend_.calls(name), 2u);
  }
}

TEST_F(Cache, NegativeTtlIsNotRaisedToMinTtl) {
  // min_ttl clamps positive answers only; a negative answer lives as long as its SOA says.
  options_.min_ttl = seconds(60);
  backend_.Set(kName, RecordType::kTxt, Negative(Rcode::kNxDomain, 2));
  Make();
  Get(kName);
  clock_.Set(seconds(1));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 1u);
  clock_.Set(seconds(2));
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u);
}

TEST_F(Cache, NegativeAnswerWithoutSoaIsNotCached) {
  backend_.Set("nx.example.com", RecordType::kTxt, Negative(Rcode::kNxDomain, 0));
  backend_.Set("nodata.example.com", RecordType::kTxt, Negative(Rcode::kNoError, 0));
  Make();
  for (const char* name : {"nx.example.com", "nodata.example.com"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(Get(name));
    EXPECT_TRUE(Get(name));
    EXPECT_EQ(backend_.calls(name), 2u) << "asked again at the same instant";
  }
  CacheStats stats = Stats();
  EXPECT_EQ(stats.entries, 0u);
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.misses, 4u);
  EXPECT_EQ(Queries(stats, RecordType::kTxt, QueryOutcome::kNxDomain), 2u);
  EXPECT_EQ(Queries(stats, RecordType::kTxt, QueryOutcome::kNoError), 2u);
}

// --- SERVFAIL, REFUSED and transport errors -------------------------------------------------

TEST_F(Cache, ServfailAndRefusedAreCachedForServfailTtlOnly) {
  options_.servfail_ttl = seconds(5);
  for (Rcode rcode : {Rcode::kServFail, Rcode::kRefused}) {
    SCOPED_TRACE(rcode == Rcode::kServFail ? "SERVFAIL" : "REFUSED");
    const std::string name = rcode == Rcode::kServFail ? "sf.example.com" : "refused.example.com";
    backend_.Set(name, RecordType::kTxt, Negative(rcode, 3600));  // its TTL is not used
    clock_.Set(seconds(0));
    Make();
    EXPECT_EQ(Get(name)->rcode, rcode);
    clock_.Set(seconds(4));
    Result<Answer> remembered = Get(name);
    ASSERT_TRUE(remembered);
    EXPECT_EQ(remembered->rcode, rcode);
    EXPECT_EQ(backend_.calls(name), 1u) << "a failing upstream is not asked again at once";
    clock_.Set(seconds(5));
    Get(name);
    EXPECT_EQ(backend_.calls(name), 2u) << "asked again after servfail_ttl";

    CacheStats stats = Stats();
    EXPECT_EQ(stats.hits, 1u);
    EXPECT_EQ(stats.misses, 2u);
    EXPECT_EQ(stats.entries, 1u);
    const QueryOutcome outcome =
        rcode == Rcode::kServFail ? QueryOutcome::kServFail : QueryOutcome::kRefused;
    EXPECT_EQ(Queries(stats, RecordType::kTxt, outcome), 2u);
  }
}

TEST_F(Cache, TransportErrorIsRememberedForServfailTtl) {
  options_.servfail_ttl = seconds(5);
  backend_.Set(kName, RecordType::kTxt, Failure(ErrorCode::kTimeout));
  Make();
  Result<Answer> first = Get(kName);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kTimeout);

  clock_.Set(seconds(4));
  Result<Answer> remembered = Get(kName);
  ASSERT_FALSE(remembered);
  EXPECT_EQ(remembered.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(backend_.calls(), 1u) << "a dead upstream is not hammered";

  clock_.Set(seconds(5));
  EXPECT_FALSE(Get(kName));
  EXPECT_EQ(backend_.calls(), 2u);

  CacheStats stats = Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.stale_served, 0u);
  EXPECT_EQ(Queries(stats, RecordType::kTxt, QueryOutcome::kTimeout), 2u);
}

TEST_F(Cache, RecoveredUpstreamReplacesARememberedError) {
  options_.servfail_ttl = seconds(5);
  backend_.Set(kName, RecordType::kTxt, Failure());
  Make();
  EXPECT_FALSE(Get(kName));
  backend_.Set(kName, RecordType::kTxt, Txt("back", 300));
  clock_.Set(seconds(5));
  EXPECT_EQ(TextOf(Get(kName)), "back");
  clock_.Set(seconds(304));
  EXPECT_EQ(TextOf(Get(kName)), "back");
  EXPECT_EQ(backend_.calls(), 2u) << "the good answer is kept for its own TTL";
}

// --- Serve-stale (RFC 8767) -------------------------------------------------------------------

TEST_F(Cache, ServeStaleAnswersWithTheOldRecordsWhileUpstreamFails) {
  options_.serve_stale = true;
  options_.max_stale = seconds(3600);
  options_.stale_answer_ttl = seconds(30);
  struct Case {
    const char* what;
    Result<Answer> failure;
    QueryOutcome outcome;
  };
  const std::vector<Case> cases = {
      {"timeout", Failure(ErrorCode::kTimeout), QueryOutcome::kTimeout},
      {"SERVFAIL", Negative(Rcode::kServFail, 0), QueryOutcome::kServFail},
      {"REFUSED", Negative(Rcode::kRefused, 0), QueryOutcome::kRefused},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string name = std::string(c.what) + ".example.com";
    backend_.Set(name, RecordType::kTxt, Txt("old", 300));
    clock_.Set(seconds(0));
    Make();
    Get(name);
    backend_.Set(name, RecordType::kTxt, c.failure);

    clock_.Set(seconds(300));  // expired; upstream fails
    Result<Answer> stale = Get(name);
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->rcode, Rcode::kNoError);
    EXPECT_EQ(TextOf(stale), "old");
    EXPECT_EQ(stale->ttl, 30u) << "RFC 8767 §4: a stale answer carries stale_answer_ttl";
    EXPECT_EQ(backend_.calls(name), 2u);
    EXPECT_EQ(Stats().stale_served, 1u);

    clock_.Set(seconds(329));  // within the extension: upstream left alone
    EXPECT_EQ(TextOf(Get(name)), "old");
    EXPECT_EQ(backend_.calls(name), 2u);
    EXPECT_EQ(Stats().stale_served, 1u) << "one extension, however often it is read";

    clock_.Set(seconds(330));  // extension over: asked again, still failing
    Result<Answer> again = Get(name);
    EXPECT_EQ(TextOf(again), "old");
    EXPECT_EQ(again->ttl, 30u);
    EXPECT_EQ(backend_.calls(name), 3u);

    backend_.Set(name, RecordType::kTxt, Txt("new", 300));
    clock_.Set(seconds(360));  // upstream back
    Result<Answer> fresh = Get(name);
    EXPECT_EQ(TextOf(fresh), "new");
    EXPECT_EQ(fresh->ttl, 300u);
    EXPECT_EQ(backend_.calls(name), 4u);

    CacheStats stats = Stats();
    EXPECT_EQ(stats.stale_served, 2u);
    EXPECT_EQ(stats.hits, 1u);
    EXPECT_EQ(stats.misses, 4u);
    EXPECT_EQ(Queries(stats, RecordType::kTxt, c.outcome), 2u);
    EXPECT_EQ(Queries(stats, RecordType::kTxt, QueryOutcome::kNoError), 2u);
  }
}

TEST_F(Cache, ServeStaleEndsMaxStalePastTheOriginalExpiry) {
  options_.serve_stale = true;
  options_.max_stale = seconds(3600);
  options_.stale_answer_ttl = seconds(30);
  backend_.Set(kName, RecordType::kTxt, Txt("old", 300));
  Make();
  Get(kName);
  backend_.Set(kName, RecordType::kTxt, Failure());

  clock_.Set(seconds(300 + 3599));  // last second in which the old answer may be served
  EXPECT_EQ(TextOf(Get(kName)), "old");
  // The extension runs to 300 + 3629, but stale serving ends at expiry + max_stale: the
  // extensions do not move that limit.
  clock_.Set(seconds(300 + 3629));
  Result<Answer> late = Get(kName);
  ASSERT_FALSE(late) << "served " << TextOf(late) << " past max_stale";
  EXPECT_EQ(late.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(Stats().stale_served, 1u);
}

TEST_F(Cache, ServeStaleIsNotUsedAtOrBeyondMaxStale) {
  options_.serve_stale = true;
  options_.max_stale = seconds(3600);
  backend_.Set(kName, RecordType::kTxt, Txt("old", 300));
  Make();
  Get(kName);
  backend_.Set(kName, RecordType::kTxt, Failure());
  clock_.Set(seconds(300 + 3600));
  EXPECT_FALSE(Get(kName));
  EXPECT_EQ(Stats().stale_served, 0u);
}

TEST_F(Cache, WithoutServeStaleAnExpiredAnswerIsNotServed) {
  options_.serve_stale = false;
  options_.servfail_ttl = seconds(5);
  backend_.Set(kName, RecordType::kTxt, Txt("old", 300));
  Make();
  Get(kName);
  backend_.Set(kName, RecordType::kTxt, Failure());
  clock_.Set(seconds(300));
  Result<Answer> failed = Get(kName);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kTimeout);
  clock_.Set(seconds(304));
  EXPECT_FALSE(Get(kName)) << "the error is remembered, the old answer is gone";
  EXPECT_EQ(backend_.calls(), 2u);
  EXPECT_EQ(Stats().stale_served, 0u);
}

TEST_F(Cache, ServeStaleDoesNotHideAnAuthoritativeNegativeAnswer) {
  // NXDOMAIN is an answer, not a failure: it replaces the expired records.
  options_.serve_stale = true;
  backend_.Set(kName, RecordType::kTxt, Txt("old", 300));
  Make();
  Get(kName);
  backend_.Set(kName, RecordType::kTxt, Negative(Rcode::kNxDomain, 60));
  clock_.Set(seconds(300));
  Result<Answer> answer = Get(kName);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->rcode, Rcode::kNxDomain);
  EXPECT_EQ(Stats().stale_served, 0u);
}

TEST_F(Cache, ServeStaleNeedsAnEarlierAnswer) {
  options_.serve_stale = true;
  backend_.Set(kName, RecordType::kTxt, Failure());
  Make();
  EXPECT_FALSE(Get(kName));
  EXPECT_EQ(Stats().stale_served, 0u);
}

// --- LRU eviction and shards -------------------------------------------------------------------

TEST_F(Cache, EvictsTheLeastRecentlyUsedEntryWhenFull) {
  options_.capacity = 3;
  options_.shards = 1;
  Make();
  Get("a.example");
  Get("b.example");
  Get("c.example");
  Get("a.example");  // a is now more recent than b
  Get("d.example");  // full: evicts b, the least recently used
  EXPECT_EQ(Stats().evictions, 1u);
  EXPECT_EQ(Stats().entries, 3u);

  Get("a.example");
  Get("c.example");
  Get("d.example");
  EXPECT_EQ(backend_.calls(), 4u) << "a, c and d survived";
  Get("b.example");  // evicted: asked again, and evicts a (the order is now a, c, d)
  EXPECT_EQ(backend_.calls("b.example"), 2u);
  EXPECT_EQ(Stats().evictions, 2u);
  Get("c.example");
  Get("d.example");
  Get("b.example");
  EXPECT_EQ(backend_.calls(), 5u);
  Get("a.example");
  EXPECT_EQ(backend_.calls("a.example"), 2u);

  CacheStats stats = Stats();
  EXPECT_EQ(stats.evictions, 3u);
  EXPECT_EQ(stats.entries, 3u);
  EXPECT_EQ(stats.hits, 7u);
  EXPECT_EQ(stats.misses, 6u);
}

TEST_F(Cache, EachShardHoldsCapacityOverShardsEntries) {
  // 10 / 4 = 2 entries per shard. 200 names fill every shard of a hash that spreads them.
  options_.capacity = 10;
  options_.shards = 4;
  Make();
  for (int i = 0; i < 200; ++i) Get("n" + std::to_string(i) + ".example");
  CacheStats stats = Stats();
  EXPECT_EQ(stats.entries, 8u);
  EXPECT_EQ(stats.entries + stats.evictions, 200u) << "every insert stayed or was evicted";
  EXPECT_EQ(stats.misses, 200u);
}

TEST_F(Cache, EachShardHoldsAtLeastOneEntry) {
  options_.capacity = 1;
  options_.shards = 16;
  Make();
  Get(kName);
  Get(kName);
  EXPECT_EQ(backend_.calls(), 1u);
  EXPECT_EQ(Stats().entries, 1u);
}

TEST_F(Cache, CapacityZeroCachesNothing) {
  options_.capacity = 0;
  Make();
  Get(kName);
  Get(kName);
  EXPECT_EQ(backend_.calls(), 2u);
  CacheStats stats = Stats();
  EXPECT_EQ(stats.entries, 0u);
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.evictions, 0u);
}

// --- Keys ----------------------------------------------------------------------------------------

TEST_F(Cache, NamesCompareCaseInsensitivelyAndWithoutTheTrailingDot) {
  Make();
  Get("Sel._DomainKey.Example.COM.");
  Get("sel._domainkey.example.com");
  Get("SEL._DOMAINKEY.EXAMPLE.COM");
  EXPECT_EQ(backend_.calls(), 1u);
  CacheStats stats = Stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST_F(Cache, RecordTypesAreSeparateEntries) {
  backend_.Set("host.example", RecordType::kA, Txt("192.0.2.7", 300));
  backend_.Set("host.example", RecordType::kAaaa, Txt("2001:db8::7", 300));
  Make();
  EXPECT_EQ(TextOf(Get("host.example", RecordType::kA)), "192.0.2.7");
  EXPECT_EQ(TextOf(Get("host.example", RecordType::kAaaa)), "2001:db8::7");
  EXPECT_EQ(TextOf(Get("host.example", RecordType::kA)), "192.0.2.7");
  EXPECT_EQ(TextOf(Get("host.example", RecordType::kAaaa)), "2001:db8::7");
  EXPECT_EQ(backend_.calls(), 2u);
  EXPECT_EQ(Stats().entries, 2u);
}

// --- The memo --------------------------------------------------------------------------------

TEST_F(Cache, AnswersFromOneEntryShareOneMemo) {
  backend_.Set(kName, RecordType::kTxt, Txt("v=DKIM1; p=AAAA", 300));
  Make();
  int computed = 0;
  auto parse = [&] {
    ++computed;
    return 42;
  };
  Result<Answer> miss = Get(kName);
  clock_.Set(seconds(10));
  Result<Answer> hit1 = Get(kName);
  Result<Answer> hit2 = Get(kName);
  ASSERT_TRUE(miss && hit1 && hit2);
  EXPECT_EQ(miss->memo.get(), hit1->memo.get());
  EXPECT_EQ(hit1->memo.get(), hit2->memo.get());
  EXPECT_EQ(*miss->memo->GetOrCompute<int>(parse), 42);
  EXPECT_EQ(*hit1->memo->GetOrCompute<int>(parse), 42);
  EXPECT_EQ(*hit2->memo->GetOrCompute<int>(parse), 42);
  EXPECT_EQ(computed, 1) << "computed once per TTL, not once per lookup";

  clock_.Set(seconds(300));  // a new answer: a new memo, computed again once
  Result<Answer> refreshed = Get(kName);
  Result<Answer> refreshed_hit = Get(kName);
  ASSERT_TRUE(refreshed && refreshed_hit);
  EXPECT_NE(refreshed->memo.get(), miss->memo.get());
  EXPECT_EQ(*refreshed->memo->GetOrCompute<int>(parse), 42);
  EXPECT_EQ(*refreshed_hit->memo->GetOrCompute<int>(parse), 42);
  EXPECT_EQ(computed, 2);
}

// --- Counters --------------------------------------------------------------------------------

TEST_F(Cache, CountsUpstreamQueriesByTypeAndOutcome) {
  backend_.Set("ok.example", RecordType::kTxt, Txt("ok", 300));
  backend_.Set("nx.example", RecordType::kA, Negative(Rcode::kNxDomain, 60));
  backend_.Set("sf.example", RecordType::kMx, Negative(Rcode::kServFail, 0));
  backend_.Set("ref.example", RecordType::kAaaa, Negative(Rcode::kRefused, 0));
  backend_.Set("slow.example", RecordType::kPtr, Failure(ErrorCode::kTimeout));
  backend_.Set("bad.example", RecordType::kTxt, Failure(ErrorCode::kBadReply));
  backend_.Set("down.example", RecordType::kTxt, Failure(ErrorCode::kTransport));
  Make();
  Get("ok.example");
  Get("nx.example", RecordType::kA);
  Get("sf.example", RecordType::kMx);
  Get("ref.example", RecordType::kAaaa);
  Get("slow.example", RecordType::kPtr);
  Get("bad.example");
  Get("down.example");
  Get("ok.example");  // a hit: no query

  CacheStats stats = Stats();
  std::array<std::array<uint64_t, kQueryOutcomes>, kRecordTypes> expected{};
  auto at = [&](RecordType type, QueryOutcome outcome) -> uint64_t& {
    return expected[RecordTypeIndex(type)][static_cast<size_t>(outcome)];
  };
  at(RecordType::kTxt, QueryOutcome::kNoError) = 1;
  at(RecordType::kA, QueryOutcome::kNxDomain) = 1;
  at(RecordType::kMx, QueryOutcome::kServFail) = 1;
  at(RecordType::kAaaa, QueryOutcome::kRefused) = 1;
  at(RecordType::kPtr, QueryOutcome::kTimeout) = 1;
  at(RecordType::kTxt, QueryOutcome::kError) = 2;
  for (size_t t = 0; t < kRecordTypes; ++t) {
    for (size_t o = 0; o < kQueryOutcomes; ++o) {
      EXPECT_EQ(stats.queries[t][o], expected[t][o])
          << ToString(RecordTypeAt(t)) << " " << ToString(static_cast<QueryOutcome>(o));
    }
  }
  EXPECT_EQ(stats.TotalQueries(), 7u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 7u);
  EXPECT_EQ(stats.coalesced, 0u);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.stale_served, 0u);
  EXPECT_EQ(stats.evictions, 0u);

  // The latency histogram holds every upstream query (and no hit). Latency is real time,
  // so only its shape is certain: cumulative, and an instant backend is under the top bound.
  EXPECT_EQ(stats.latency_count, 7u);
  EXPECT_EQ(stats.latency_counts.back(), 7u);
  for (size_t i = 1; i < kLatencyBuckets.size(); ++i) {
    EXPECT_LE(stats.latency_counts[i - 1], stats.latency_counts[i]);
  }
  EXPECT_GE(stats.latency_sum_seconds, 0.0);
  EXPECT_LT(stats.latency_sum_seconds, 7 * kLatencyBuckets.back());
}

// --- Coalescing, the worker pool and concurrency ---------------------------------------------

// `threads` threads look up one name while the backend holds its first call; it is released
// only when every lookup has joined (returned its future, or, when the backend runs in the
// calling thread, every thread but the one inside the backend).
}  // namespace
}  // namespace kenin::dns::cache_test
