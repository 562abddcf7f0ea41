#include "metrics/daemon_metrics.h"

#include <iterator>

namespace kenin::metrics {
namespace {

// One counter per value of `set`, in its order.
std::vector<prometheus::Counter*> Series(prometheus::Family<prometheus::Counter>& family,
                                         const LabelSet& set) {
  std::vector<prometheus::Counter*> out;
  for (const std::string& value : set.values()) out.push_back(&family.Add({{set.name(), value}}));
  return out;
}

// One counter per pair of values, row-major: [first * second.size() + second].
std::vector<prometheus::Counter*> Series(prometheus::Family<prometheus::Counter>& family,
                                         const LabelSet& first, const LabelSet& second) {
  std::vector<prometheus::Counter*> out;
  for (const std::string& a : first.values()) {
    for (const std::string& b : second.values()) {
      out.push_back(&family.Add({{first.name(), a}, {second.name(), b}}));
    }
  }
  return out;
}

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& registry,
                                                       const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

bool Increment(const std::vector<prometheus::Counter*>& series, std::optional<size_t> index) {
  if (!index) return false;
  series[*index]->Increment();
  return true;
}

// The counter of (a, b) in a family made by the two-label Series().
bool Increment(const std::vector<prometheus::Counter*>& series, const LabelSet& first,
               std::string_view a, const LabelSet& second, std::string_view b) {
  std::optional<size_t> i = first.Find(a);
  std::optional<size_t> j = second.Find(b);
  if (!i || !j) return false;
  series[*i * second.size() + *j]->Increment();
  return true;
}

}  // namespace

DaemonMetrics::DaemonMetrics(prometheus::Registry& registry, LabelSet error_stages)
    : error_stages_(std::move(error_stages)),
      messages_(Series(CounterFamily(registry, "kenin_messages_total",
                                     "Messages answered at end-of-message, by what kenind did"),
                       ActionLabel())),
      duration_(prometheus::BuildHistogram()
                    .Name("kenin_message_duration_seconds")
                    .Help("End-of-message work the MTA waited for: DNS answers, verification, "
                          "evaluation and header edits")
                    .Register(registry)
                    .Add({}, prometheus::Histogram::BucketBoundaries(
                                 std::begin(kMessageBuckets), std::end(kMessageBuckets)))),
      dkim_(Series(CounterFamily(registry, "kenin_dkim_signatures_total",
                                 "DKIM-Signature fields verified, by result and a= algorithm"),
                   DkimResultLabel(), DkimAlgorithmLabel())),
      spf_(Series(CounterFamily(registry, "kenin_spf_results_total", "SPF evaluations by result"),
                  SpfResultLabel())),
      dmarc_(Series(CounterFamily(registry, "kenin_dmarc_results_total",
                                  "DMARC evaluations by result and disposition"),
                    DmarcResultLabel(), DispositionLabel())),
      arc_(Series(CounterFamily(registry, "kenin_arc_results_total",
                                "ARC chain validations (RFC 8617) by result"),
                  ArcResultLabel())),
      errors_(Series(CounterFamily(registry, "kenin_errors_total",
                                   "Internal errors, by the stage they happened in"),
                     error_stages_)),
      connections_(prometheus::BuildGauge()
                       .Name("kenin_milter_connections_active")
                       .Help("Milter connections open from MTAs")
                       .Register(registry)
                       .Add({})) {}

bool DaemonMetrics::CountMessage(std::string_view action,
                                 std::chrono::nanoseconds end_of_message) {
  if (!Increment(messages_, ActionLabel().Find(action))) return false;
  duration_.Observe(std::chrono::duration<double>(end_of_message).count());
  return true;
}

bool DaemonMetrics::CountDkimSignature(std::string_view result, std::string_view algorithm) {
  return Increment(dkim_, DkimResultLabel(), result, DkimAlgorithmLabel(), algorithm);
}

bool DaemonMetrics::CountSpf(std::string_view result) {
  return Increment(spf_, SpfResultLabel().Find(result));
}

bool DaemonMetrics::CountDmarc(std::string_view result, std::string_view disposition) {
  return Increment(dmarc_, DmarcResultLabel(), result, DispositionLabel(), disposition);
}

bool DaemonMetrics::CountArc(std::string_view result) {
  return Increment(arc_, ArcResultLabel().Find(result));
}

bool DaemonMetrics::CountError(std::string_view stage) {
  return Increment(errors_, error_stages_.Find(stage));
}

}  // namespace kenin::metrics
