#include "milter/metrics_events.h"

#include <string>
#include <vector>

#include "milter/callbacks.h"

namespace kenin::milter {

metrics::LabelSet ErrorStages() {
  std::vector<std::string> stages;
  for (size_t i = 0; i < kStageCount; ++i) stages.emplace_back(StageName(static_cast<Stage>(i)));
  stages.emplace_back(kReloadStage);
  return metrics::LabelSet("stage", std::move(stages));
}

void CountOutcome(metrics::DaemonMetrics& metrics, const Outcome& outcome,
                  std::chrono::nanoseconds end_of_message) {
  metrics.CountMessage(outcome.action, end_of_message);
  if (!outcome.report) return;  // skipped, or an internal error: nothing was verified
  const policy::SessionReport& report = *outcome.report;
  for (const verifier::DkimVerdict& verdict : report.dkim) {
    metrics.CountDkimSignature(verifier::ToToken(verdict.result), verdict.ids.algorithm);
  }
  if (report.spf) metrics.CountSpf(policy::ToToken(report.spf->result));
  if (report.dmarc) {
    metrics.CountDmarc(policy::ToToken(report.dmarc->result),
                       policy::ToToken(report.dmarc->disposition));
  }
  if (report.arc) metrics.CountArc(arc::ToToken(report.arc->result));
}

}  // namespace kenin::milter
