#include "milter/metrics_events.h"

#include <gtest/gtest.h>

#include "milter/callbacks.h"
#include "../metrics/collected.h"

namespace kenin::milter {
namespace {

using metrics::testing::Value;

class MetricsEventsTest : public ::testing::Test {
 protected:
  std::vector<prometheus::MetricFamily> Collect() { return registry_.Collect(); }

  prometheus::Registry registry_;
  metrics::DaemonMetrics metrics_{registry_, ErrorStages()};
};

verifier::DkimVerdict Signature(verifier::DkimResult result, const std::string& algorithm) {
  verifier::DkimVerdict verdict;
  verdict.result = result;
  verdict.ids.algorithm = algorithm;
  verdict.ids.domain = "example.org";  // never a label
  return verdict;
}

TEST_F(MetricsEventsTest, EveryTokenKeninWritesHasASeries) {
  // The label sets of metrics/ and the tokens of the verifier and policy must agree: a token
  // without a series would go uncounted.
  for (auto r : {verifier::DkimResult::kNone, verifier::DkimResult::kPass,
                 verifier::DkimResult::kFail, verifier::DkimResult::kPolicy,
                 verifier::DkimResult::kNeutral, verifier::DkimResult::kTempError,
                 verifier::DkimResult::kPermError}) {
    EXPECT_TRUE(metrics_.CountDkimSignature(verifier::ToToken(r), "rsa-sha256"))
        << verifier::ToToken(r);
  }
  for (auto r : {policy::SpfResult::kNone, policy::SpfResult::kNeutral, policy::SpfResult::kPass,
                 policy::SpfResult::kFail, policy::SpfResult::kSoftFail,
                 policy::SpfResult::kTempError, policy::SpfResult::kPermError}) {
    EXPECT_TRUE(metrics_.CountSpf(policy::ToToken(r))) << policy::ToToken(r);
  }
  for (auto r : {policy::DmarcResult::kNone, policy::DmarcResult::kPass,
                 policy::DmarcResult::kFail, policy::DmarcResult::kTempError,
                 policy::DmarcResult::kPermError}) {
    for (auto d : {policy::Disposition::kNone, policy::Disposition::kQuarantine,
                   policy::Disposition::kReject}) {
      EXPECT_TRUE(metrics_.CountDmarc(policy::ToToken(r), policy::ToToken(d)))
          << policy::ToToken(r) << " " << policy::ToToken(d);
    }
  }
  for (auto r : {arc::ArcResult::kNone, arc::ArcResult::kPass, arc::ArcResult::kFail}) {
    EXPECT_TRUE(metrics_.CountArc(arc::ToToken(r))) << arc::ToToken(r);
  }
  for (const char* action : {"accept", "reject", "quarantine", "tempfail", "skip"}) {
    EXPECT_TRUE(metrics_.CountMessage(action, std::chrono::milliseconds(1))) << action;
  }
}

TEST_F(MetricsEventsTest, ErrorStagesAreTheLoggedStagesAndReload) {
  for (size_t i = 0; i < kStageCount; ++i) {
    EXPECT_TRUE(metrics_.CountError(StageName(static_cast<Stage>(i))));
  }
  EXPECT_TRUE(metrics_.CountError(kReloadStage));
  auto families = Collect();
  EXPECT_EQ(Value(families, "kenin_errors_total", {{"stage", "eom"}}), 1.0);
  EXPECT_EQ(Value(families, "kenin_errors_total", {{"stage", "reload"}}), 1.0);
  EXPECT_EQ(ErrorStages().size(), kStageCount + 1);
}

TEST_F(MetricsEventsTest, AVerifiedMessageCountsEachSignatureSpfAndDmarc) {
  Outcome outcome;
  outcome.action = "quarantine";
  policy::SessionReport report;
  report.dkim = {Signature(verifier::DkimResult::kPass, "rsa-sha256"),
                 Signature(verifier::DkimResult::kFail, "ed25519-sha256"),
                 Signature(verifier::DkimResult::kPermError, "rsa-sha1"),
                 Signature(verifier::DkimResult::kPermError, "")};
  report.spf = policy::SpfVerdict{};
  report.spf->result = policy::SpfResult::kSoftFail;
  report.dmarc = policy::DmarcVerdict{};
  report.dmarc->result = policy::DmarcResult::kFail;
  report.dmarc->disposition = policy::Disposition::kQuarantine;
  report.arc = arc::ArcVerdict{};
  report.arc->result = arc::ArcResult::kFail;
  outcome.report = report;
  CountOutcome(metrics_, outcome, std::chrono::milliseconds(4));

  auto families = Collect();
  auto dkim = [&](const char* result, const char* algorithm) {
    return Value(families, "kenin_dkim_signatures_total",
                 {{"result", result}, {"algorithm", algorithm}});
  };
  EXPECT_EQ(Value(families, "kenin_messages_total", {{"action", "quarantine"}}), 1.0);
  EXPECT_EQ(dkim("pass", "rsa-sha256"), 1.0);
  EXPECT_EQ(dkim("fail", "ed25519-sha256"), 1.0);
  EXPECT_EQ(dkim("permerror", "rsa-sha1"), 1.0);
  EXPECT_EQ(dkim("permerror", "other"), 1.0);  // a malformed signature without a=
  EXPECT_EQ(Value(families, "kenin_spf_results_total", {{"result", "softfail"}}), 1.0);
  EXPECT_EQ(Value(families, "kenin_dmarc_results_total",
                  {{"result", "fail"}, {"disposition", "quarantine"}}),
            1.0);
  EXPECT_EQ(Value(families, "kenin_arc_results_total", {{"result", "fail"}}), 1.0);
  EXPECT_EQ(Value(families, "kenin_arc_results_total", {{"result", "pass"}}), 0.0);
}

TEST_F(MetricsEventsTest, UnverifiedMessageCountsOnlyItsAction) {
  // An internal client (skip) or an internal error: no verdict was reached, none is counted.
  CountOutcome(metrics_, Outcome{Decision::kAccept, "skip", std::nullopt, ""},
               std::chrono::microseconds(10));
  auto families = Collect();
  EXPECT_EQ(Value(families, "kenin_messages_total", {{"action", "skip"}}), 1.0);
  for (const auto& family : families) {
    if (family.name == "kenin_messages_total" || family.name == "kenin_message_duration_seconds")
      continue;
    for (const auto& metric : family.metric) EXPECT_EQ(metric.counter.value, 0.0) << family.name;
  }
}

}  // namespace
}  // namespace kenin::milter
