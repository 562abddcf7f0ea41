#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include "metrics/build_info.h"

namespace kenin::metrics {
namespace {

std::shared_ptr<prometheus::Registry> WithBuildInfo(std::shared_ptr<prometheus::Registry> registry) {
  AddBuildInfo(*registry);
  return registry;
}

}  // namespace

Metrics::Metrics(LabelSet error_stages, DnsStatsSource dns_stats)
    : registry_(WithBuildInfo(std::make_shared<prometheus::Registry>())),
      daemon_(*registry_, std::move(error_stages)),
      dns_(std::make_shared<DnsCollector>(std::move(dns_stats))) {}

std::optional<std::string> Metrics::Serve(const std::string& address) {
  auto exposer = HttpExposer::Start(address, {registry_, dns_});
  if (!exposer) return exposer.error();
  exposer_ = std::move(*exposer);
  return std::nullopt;
}

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (prometheus::MetricFamily& family : dns_->Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace kenin::metrics
