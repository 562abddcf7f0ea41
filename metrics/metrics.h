// The metrics of one kenind process (SPEC §7): a prometheus-cpp registry holding the event
// families (daemon_metrics.h) and kenin_build_info, the DNS collector (dns_collector.h), and
// once Serve() succeeds the HTTP endpoint. Made once at start and kept for the life of the
// process: a reload does not replace it, so counters never restart on SIGHUP.
// Thread-safety: daemon() may be used from any thread; Serve() once, before serving mail.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <prometheus/registry.h>

#include "metrics/daemon_metrics.h"
#include "metrics/dns_collector.h"
#include "metrics/http_exposer.h"
#include "metrics/labels.h"

namespace kenin::metrics {

class Metrics {
 public:
  Metrics(LabelSet error_stages, DnsStatsSource dns_stats);

  DaemonMetrics& daemon() { return daemon_; }

  // Serves GET /metrics on `address` ("HOST:PORT"). Error text as HttpExposer::Start.
  std::optional<std::string> Serve(const std::string& address);
  int port() const { return exposer_ ? exposer_->port() : 0; }

  // Everything /metrics serves, in the text exposition format (tests, benchmarks).
  std::string Render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  DaemonMetrics daemon_;
  std::shared_ptr<DnsCollector> dns_;
  std::unique_ptr<HttpExposer> exposer_;  // last: stops serving before the rest goes
};

}  // namespace kenin::metrics
