// The families kenind counts as events happen (SPEC §7): messages by action, the time the
// MTA waited at end-of-message, DKIM signatures, SPF, DMARC and ARC results, internal errors and
// open milter connections. Every series is created here for every label value and its
// reference kept, so counting is an index and an atomic add: no label map on the hot path.
// Label values arrive as text (RFC 8601 tokens, action names); see metrics/labels.h.
// Thread-safe: libmilter's threads count at once. `registry` must outlive this object.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/labels.h"

namespace kenin::metrics {

// Upper bounds, in seconds, of kenin_message_duration_seconds: a warm cache answers in well
// under a millisecond; a message that waits for DNS timeouts (2 s x 3 by default) takes
// seconds.
inline constexpr double kMessageBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

class DaemonMetrics {
 public:
  // `error_stages`: the values of kenin_errors_total{stage}, given by the daemon that has them.
  DaemonMetrics(prometheus::Registry& registry, LabelSet error_stages);

  // Each returns false, counting nothing, when a value is not in its label set (a caller's bug:
  // its tokens and these sets must agree; tests/unit/milter/message_metrics_test.cc checks).
  bool CountMessage(std::string_view action, std::chrono::nanoseconds end_of_message);
  bool CountDkimSignature(std::string_view result, std::string_view algorithm);
  bool CountSpf(std::string_view result);
  bool CountDmarc(std::string_view result, std::string_view disposition);
  bool CountArc(std::string_view result);
  bool CountError(std::string_view stage);
  void ConnectionOpened() { connections_.Increment(); }
  void ConnectionClosed() { connections_.Decrement(); }

 private:
  const LabelSet error_stages_;
  std::vector<prometheus::Counter*> messages_;  // [action]
  prometheus::Histogram& duration_;
  std::vector<prometheus::Counter*> dkim_;   // [result * algorithms + algorithm]
  std::vector<prometheus::Counter*> spf_;    // [result]
  std::vector<prometheus::Counter*> dmarc_;  // [result * dispositions + disposition]
  std::vector<prometheus::Counter*> arc_;    // [result]
  std::vector<prometheus::Counter*> errors_;  // [stage]
  prometheus::Gauge& connections_;
};

}  // namespace kenin::metrics
