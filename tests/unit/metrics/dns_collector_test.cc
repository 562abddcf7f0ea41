#include "metrics/dns_collector.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collected.h"

namespace kenin::metrics {
namespace {

using testing::FindSample;
using testing::SeriesCount;
using testing::Value;

dns::CacheStats SomeStats() {
  dns::CacheStats stats;
  stats.hits = 90;
  stats.misses = 12;
  stats.coalesced = 2;
  stats.evictions = 3;
  stats.stale_served = 1;
  stats.rejected = 4;
  stats.entries = 7;
  stats.queries[dns::RecordTypeIndex(dns::RecordType::kTxt)]
               [static_cast<size_t>(dns::QueryOutcome::kNoError)] = 8;
  stats.queries[dns::RecordTypeIndex(dns::RecordType::kTxt)]
               [static_cast<size_t>(dns::QueryOutcome::kTimeout)] = 1;
  stats.queries[dns::RecordTypeIndex(dns::RecordType::kA)]
               [static_cast<size_t>(dns::QueryOutcome::kNxDomain)] = 1;
  stats.latency_counts = {2, 4, 6, 8, 8, 8, 8, 8, 8, 8, 9, 9};
  stats.latency_count = 10;
  stats.latency_sum_seconds = 6.25;
  return stats;
}

TEST(DnsCollector, CacheCountersAreReportedAsRead) {
  auto families = DnsFamilies(SomeStats());
  EXPECT_EQ(Value(families, "kenin_dns_cache_hits_total"), 90.0);
  EXPECT_EQ(Value(families, "kenin_dns_cache_misses_total"), 12.0);
  EXPECT_EQ(Value(families, "kenin_dns_cache_evictions_total"), 3.0);
  EXPECT_EQ(Value(families, "kenin_dns_cache_entries"), 7.0);
  EXPECT_EQ(Value(families, "kenin_dns_cache_coalesced_total"), 2.0);
  EXPECT_EQ(Value(families, "kenin_dns_cache_stale_answers_total"), 1.0);
  EXPECT_EQ(Value(families, "kenin_dns_lookups_rejected_total"), 4.0);
}

TEST(DnsCollector, EveryTypeAndRcodeIsASeries) {
  auto families = DnsFamilies(SomeStats());
  EXPECT_EQ(SeriesCount(families, "kenin_dns_queries_total"),
            dns::kRecordTypes * dns::kQueryOutcomes);
  EXPECT_EQ(Value(families, "kenin_dns_queries_total", {{"type", "TXT"}, {"rcode", "NOERROR"}}),
            8.0);
  EXPECT_EQ(Value(families, "kenin_dns_queries_total", {{"type", "TXT"}, {"rcode", "timeout"}}),
            1.0);
  EXPECT_EQ(Value(families, "kenin_dns_queries_total", {{"type", "A"}, {"rcode", "NXDOMAIN"}}),
            1.0);
  EXPECT_EQ(Value(families, "kenin_dns_queries_total", {{"type", "AAAA"}, {"rcode", "SERVFAIL"}}),
            0.0);
}

TEST(DnsCollector, LatencyHistogramEndsWithInfinity) {
  auto families = DnsFamilies(SomeStats());
  const prometheus::ClientMetric* metric =
      FindSample(families, "kenin_dns_query_duration_seconds", {});
  ASSERT_NE(metric, nullptr);
  const auto& buckets = metric->histogram.bucket;
  ASSERT_EQ(buckets.size(), dns::kLatencyBuckets.size() + 1);
  EXPECT_EQ(buckets.front().upper_bound, 0.0005);
  EXPECT_EQ(buckets.front().cumulative_count, 2u);
  EXPECT_TRUE(std::isinf(buckets.back().upper_bound));
  EXPECT_EQ(buckets.back().cumulative_count, 10u);  // the one over 2.5 s is only here
  EXPECT_EQ(metric->histogram.sample_count, 10u);
  EXPECT_EQ(metric->histogram.sample_sum, 6.25);
}

TEST(DnsCollector, CollectReadsTheSourceAtEveryScrape) {
  dns::CacheStats stats;
  DnsCollector collector([&stats] { return stats; });
  EXPECT_EQ(Value(collector.Collect(), "kenin_dns_cache_hits_total"), 0.0);
  stats.hits = 5;
  EXPECT_EQ(Value(collector.Collect(), "kenin_dns_cache_hits_total"), 5.0);
}

}  // namespace
}  // namespace kenin::metrics
