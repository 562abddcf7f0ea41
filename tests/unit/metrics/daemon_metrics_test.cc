#include "metrics/daemon_metrics.h"

#include <gtest/gtest.h>

#include "collected.h"

namespace kenin::metrics {
namespace {

using testing::FindSample;
using testing::SeriesCount;
using testing::Value;
using std::chrono::microseconds;
using std::chrono::milliseconds;

class DaemonMetricsTest : public ::testing::Test {
 protected:
  std::vector<prometheus::MetricFamily> Collect() { return registry_.Collect(); }

  prometheus::Registry registry_;
  DaemonMetrics metrics_{registry_, LabelSet("stage", {"eom", "reload"})};
};

TEST_F(DaemonMetricsTest, EverySeriesExistsAtZeroBeforeAnyEvent) {
  auto families = Collect();
  EXPECT_EQ(SeriesCount(families, "kenin_messages_total"), 5u);
  EXPECT_EQ(SeriesCount(families, "kenin_dkim_signatures_total"), 7u * 4u);
  EXPECT_EQ(SeriesCount(families, "kenin_spf_results_total"), 7u);
  EXPECT_EQ(SeriesCount(families, "kenin_dmarc_results_total"), 5u * 3u);
  EXPECT_EQ(SeriesCount(families, "kenin_arc_results_total"), 3u);  // issue 9
  EXPECT_EQ(Value(families, "kenin_arc_results_total", {{"result", "none"}}), 0.0);
  EXPECT_EQ(SeriesCount(families, "kenin_errors_total"), 2u);
  EXPECT_EQ(SeriesCount(families, "kenin_message_duration_seconds"), 1u);
  EXPECT_EQ(Value(families, "kenin_milter_connections_active"), 0.0);
  EXPECT_EQ(Value(families, "kenin_dkim_signatures_total",
                  {{"result", "temperror"}, {"algorithm", "ed25519-sha256"}}),
            0.0);
  EXPECT_EQ(Value(families, "kenin_errors_total", {{"stage", "reload"}}), 0.0);
}

TEST_F(DaemonMetricsTest, CountsLandInTheirOwnSeries) {
  EXPECT_TRUE(metrics_.CountDkimSignature("pass", "rsa-sha256"));
  EXPECT_TRUE(metrics_.CountDkimSignature("pass", "rsa-sha256"));
  EXPECT_TRUE(metrics_.CountDkimSignature("fail", "ed25519-sha256"));
  EXPECT_TRUE(metrics_.CountDkimSignature("permerror", "rsa-sha512"));
  EXPECT_TRUE(metrics_.CountSpf("softfail"));
  EXPECT_TRUE(metrics_.CountDmarc("fail", "quarantine"));
  EXPECT_TRUE(metrics_.CountError("eom"));
  auto families = Collect();
  auto dkim = [&](const char* result, const char* algorithm) {
    return Value(families, "kenin_dkim_signatures_total",
                 {{"result", result}, {"algorithm", algorithm}});
  };
  EXPECT_EQ(dkim("pass", "rsa-sha256"), 2.0);
  EXPECT_EQ(dkim("fail", "ed25519-sha256"), 1.0);
  EXPECT_EQ(dkim("permerror", "other"), 1.0);
  EXPECT_EQ(dkim("fail", "rsa-sha256"), 0.0);
  EXPECT_EQ(Value(families, "kenin_spf_results_total", {{"result", "softfail"}}), 1.0);
  EXPECT_EQ(Value(families, "kenin_spf_results_total", {{"result", "fail"}}), 0.0);
  EXPECT_EQ(Value(families, "kenin_dmarc_results_total",
                  {{"result", "fail"}, {"disposition", "quarantine"}}),
            1.0);
  EXPECT_EQ(Value(families, "kenin_dmarc_results_total",
                  {{"result", "fail"}, {"disposition", "reject"}}),
            0.0);
  EXPECT_EQ(Value(families, "kenin_errors_total", {{"stage", "eom"}}), 1.0);
}

TEST_F(DaemonMetricsTest, UnknownValuesCountNothing) {
  EXPECT_FALSE(metrics_.CountMessage("deliver", milliseconds(1)));
  EXPECT_FALSE(metrics_.CountDkimSignature("passed", "rsa-sha256"));
  EXPECT_FALSE(metrics_.CountSpf("example.com"));
  EXPECT_FALSE(metrics_.CountDmarc("pass", "discard"));
  EXPECT_FALSE(metrics_.CountArc("temperror"));  // ARC has none (RFC 8617 §5.2.1)
  EXPECT_FALSE(metrics_.CountError("negotiate"));
  auto families = Collect();
  for (const auto& family : families) {
    for (const auto& metric : family.metric) {
      EXPECT_EQ(metric.counter.value, 0.0) << family.name;
      EXPECT_EQ(metric.histogram.sample_count, 0u) << family.name;
    }
  }
}

TEST_F(DaemonMetricsTest, MessageTimeFallsInItsBucket) {
  EXPECT_TRUE(metrics_.CountMessage("accept", microseconds(300)));
  EXPECT_TRUE(metrics_.CountMessage("accept", milliseconds(3)));
  EXPECT_TRUE(metrics_.CountMessage("reject", milliseconds(7000)));
  auto families = Collect();
  EXPECT_EQ(Value(families, "kenin_messages_total", {{"action", "accept"}}), 2.0);
  EXPECT_EQ(Value(families, "kenin_messages_total", {{"action", "reject"}}), 1.0);
  const prometheus::ClientMetric* histogram =
      FindSample(families, "kenin_message_duration_seconds", {});
  ASSERT_NE(histogram, nullptr);
  EXPECT_EQ(histogram->histogram.sample_count, 3u);
  EXPECT_NEAR(histogram->histogram.sample_sum, 7.0033, 1e-9);
  auto cumulative = [&](double upper_bound) -> uint64_t {
    for (const auto& bucket : histogram->histogram.bucket) {
      if (bucket.upper_bound == upper_bound) return bucket.cumulative_count;
    }
    ADD_FAILURE() << "no bucket " << upper_bound;
    return 0;
  };
  EXPECT_EQ(cumulative(0.0005), 1u);
  EXPECT_EQ(cumulative(0.0025), 1u);
  EXPECT_EQ(cumulative(0.005), 2u);
  EXPECT_EQ(cumulative(5.0), 2u);
  EXPECT_EQ(cumulative(10.0), 3u);
}

TEST_F(DaemonMetricsTest, ConnectionsGoUpAndDown) {
  metrics_.ConnectionOpened();
  metrics_.ConnectionOpened();
  metrics_.ConnectionClosed();
  EXPECT_EQ(Value(Collect(), "kenin_milter_connections_active"), 1.0);
}

}  // namespace
}  // namespace kenin::metrics
