#include "metrics/dns_collector.h"

#include <limits>
#include <string>

namespace kenin::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Single(const std::string& name, const std::string& help, MetricType type,
                    uint64_t value) {
  ClientMetric metric;
  if (type == MetricType::Gauge) {
    metric.gauge.value = static_cast<double>(value);
  } else {
    metric.counter.value = static_cast<double>(value);
  }
  return MetricFamily{name, help, type, {metric}};
}

MetricFamily Queries(const dns::CacheStats& stats) {
  MetricFamily family{"kenin_dns_queries_total",
                      "Upstream DNS queries by record type and how they ended (rcode, timeout "
                      "or error)",
                      MetricType::Counter,
                      {}};
  for (size_t t = 0; t < dns::kRecordTypes; ++t) {
    for (size_t o = 0; o < dns::kQueryOutcomes; ++o) {
      ClientMetric metric;
      metric.label = {{"type", std::string(dns::ToString(dns::RecordTypeAt(t)))},
                      {"rcode", std::string(dns::ToString(static_cast<dns::QueryOutcome>(o)))}};
      metric.counter.value = static_cast<double>(stats.queries[t][o]);
      family.metric.push_back(std::move(metric));
    }
  }
  return family;
}

MetricFamily Latency(const dns::CacheStats& stats) {
  ClientMetric metric;
  metric.histogram.sample_count = stats.latency_count;
  metric.histogram.sample_sum = stats.latency_sum_seconds;
  for (size_t i = 0; i < dns::kLatencyBuckets.size(); ++i) {
    metric.histogram.bucket.push_back({stats.latency_counts[i], dns::kLatencyBuckets[i]});
  }
  // The text format requires the +Inf bucket, equal to the count.
  metric.histogram.bucket.push_back(
      {stats.latency_count, std::numeric_limits<double>::infinity()});
  return MetricFamily{"kenin_dns_query_duration_seconds",
                      "Latency of upstream DNS queries (cache misses), answered or not",
                      MetricType::Histogram,
                      {metric}};
}

}  // namespace

std::vector<MetricFamily> DnsFamilies(const dns::CacheStats& stats) {
  const MetricType counter = MetricType::Counter;
  return {
      Queries(stats),
      Latency(stats),
      Single("kenin_dns_cache_hits_total", "Lookups answered from a fresh cache entry", counter,
             stats.hits),
      Single("kenin_dns_cache_misses_total",
             "Lookups that needed an upstream query or joined one in flight", counter,
             stats.misses),
      Single("kenin_dns_cache_evictions_total",
             "Entries pushed out of the cache to make room (LRU), not by expiry", counter,
             stats.evictions),
      Single("kenin_dns_cache_entries", "Entries held in the cache", MetricType::Gauge,
             stats.entries),
      Single("kenin_dns_cache_coalesced_total",
             "Misses that joined an identical upstream query already in flight", counter,
             stats.coalesced),
      Single("kenin_dns_cache_stale_answers_total",
             "Expired answers served because the refresh failed (RFC 8767)", counter,
             stats.stale_served),
      Single("kenin_dns_lookups_rejected_total",
             "Lookups failed at once because the resolver's queue was full", counter,
             stats.rejected),
  };
}

std::vector<MetricFamily> DnsCollector::Collect() const { return DnsFamilies(source_()); }

}  // namespace kenin::metrics
