// What kenind tells metrics/ (SPEC §7): a message's outcome as the families' label values
// (RFC 8601 tokens, the action), and the values of kenin_errors_total{stage}. The hooks are
// in callbacks.cc (connections, errors, each message) and daemon.cc (a failed reload).
#pragma once

#include <chrono>
#include <string_view>

#include "metrics/daemon_metrics.h"
#include "metrics/labels.h"
#include "milter/message.h"

namespace kenin::milter {

// kenin_errors_total{stage="reload"}: a SIGHUP whose configuration was refused.
inline constexpr std::string_view kReloadStage = "reload";

// The callback stages (StageName) and kReloadStage.
metrics::LabelSet ErrorStages();

// Counts one answered message: its action and end-of-message time, and when it was verified
// each DKIM signature (result, a=), SPF, DMARC (result, disposition) and ARC (result).
void CountOutcome(metrics::DaemonMetrics& metrics, const Outcome& outcome,
                  std::chrono::nanoseconds end_of_message);

}  // namespace kenin::milter
