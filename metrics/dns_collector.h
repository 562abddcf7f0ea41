// The DNS families of SPEC §7, read at scrape time from the counters the resolver keeps
// anyway (dns::QueryStats, plain atomics): the hot path pays nothing more for metrics.
//   kenin_dns_queries_total{type,rcode}  upstream queries by type and how they ended
//   kenin_dns_query_duration_seconds     their latency (histogram, dns::kLatencyBuckets)
//   kenin_dns_cache_hits_total, kenin_dns_cache_misses_total, kenin_dns_cache_evictions_total,
//   kenin_dns_cache_entries, and kenin_dns_cache_coalesced_total,
//   kenin_dns_cache_stale_answers_total, kenin_dns_lookups_rejected_total.
// Every type x rcode pair is reported, at 0 until it happens.
// Thread-safety: Collect() may run on several exposer threads at once, as long as `source` may.
#pragma once

#include <functional>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "dns/query_stats.h"

namespace kenin::metrics {

// The current counters of the process's DNS stack. kenind rebuilds the stack when a reload
// changes [dns] or [cache]; its counters then start again from 0, which rate() and increase()
// take as a counter reset.
using DnsStatsSource = std::function<dns::CacheStats()>;

class DnsCollector : public prometheus::Collectable {
 public:
  explicit DnsCollector(DnsStatsSource source) : source_(std::move(source)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  DnsStatsSource source_;
};

// The families for one snapshot (what Collect() returns; tests call it directly).
std::vector<prometheus::MetricFamily> DnsFamilies(const dns::CacheStats& stats);

}  // namespace kenin::metrics
