// Test helper: reads one sample out of what a prometheus-cpp collectable returned, by family
// name and exact label set, so tests assert counters the way a scrape would see them.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kenin::metrics::testing {

using Labels = std::map<std::string, std::string>;

inline const prometheus::ClientMetric* FindSample(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name,
    const Labels& labels) {
  for (const prometheus::MetricFamily& family : families) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      Labels have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have == labels) return &metric;
    }
  }
  return nullptr;
}

// The counter or gauge value of the sample; nullopt when there is no such series.
inline std::optional<double> Value(const std::vector<prometheus::MetricFamily>& families,
                                   const std::string& name, const Labels& labels = {}) {
  const prometheus::ClientMetric* metric = FindSample(families, name, labels);
  if (!metric) return std::nullopt;
  for (const prometheus::MetricFamily& family : families) {
    if (family.name != name) continue;
    return family.type == prometheus::MetricType::Gauge ? metric->gauge.value
                                                        : metric->counter.value;
  }
  return std::nullopt;
}

// How many series the family has (0 when absent).
inline size_t SeriesCount(const std::vector<prometheus::MetricFamily>& families,
                          const std::string& name) {
  for (const prometheus::MetricFamily& family : families) {
    if (family.name == name) return family.metric.size();
  }
  return 0;
}

}  // namespace kenin::metrics::testing
