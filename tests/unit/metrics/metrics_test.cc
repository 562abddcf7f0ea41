#include "metrics/metrics.h"

#include <civetweb.h>
#include <gtest/gtest.h>

namespace kenin::metrics {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, RendersEverySpecFamily) {
  dns::CacheStats stats;
  stats.entries = 42;
  Metrics metrics(LabelSet("stage", {"eom"}), [&stats] { return stats; });
  metrics.daemon().CountMessage("accept", std::chrono::milliseconds(2));
  const std::string text = metrics.Render();
  for (const char* family :
       {"kenin_messages_total", "kenin_dkim_signatures_total", "kenin_spf_results_total",
        "kenin_dmarc_results_total", "kenin_message_duration_seconds", "kenin_dns_queries_total",
        "kenin_dns_query_duration_seconds", "kenin_dns_cache_hits_total",
        "kenin_dns_cache_misses_total", "kenin_dns_cache_entries",
        "kenin_dns_cache_evictions_total", "kenin_milter_connections_active",
        "kenin_errors_total", "kenin_build_info"}) {
    EXPECT_NE(text.find("# TYPE " + std::string(family) + " "), std::string::npos) << family;
  }
  EXPECT_TRUE(Has(text, "kenin_messages_total{action=\"accept\"} 1")) << text;
  EXPECT_TRUE(Has(text, "kenin_dns_cache_entries 42")) << text;
  EXPECT_NE(text.find("kenin_build_info{compiler=\""), std::string::npos);
  EXPECT_NE(text.find("version=\"" KENIN_VERSION "\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, ServeReportsWhyItCannotListen) {
  Metrics metrics(LabelSet("stage", {"eom"}), [] { return dns::CacheStats{}; });
  EXPECT_EQ(metrics.port(), 0);
  auto error = metrics.Serve("[::1]:0");
  if (mg_check_feature(8) == 0) {
    // Debian 12's civetweb has no IPv6: said plainly, not as a bind failure.
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("has no IPv6"), std::string::npos) << *error;
  } else {
    EXPECT_EQ(error, std::nullopt);
  }
  Metrics other(LabelSet("stage", {"eom"}), [] { return dns::CacheStats{}; });
  ASSERT_EQ(other.Serve("127.0.0.1:0"), std::nullopt);
  EXPECT_GT(other.port(), 0);
}

}  // namespace
}  // namespace kenin::metrics
