#include "milter/runtime.h"

#include <gtest/gtest.h>

#include "milter_test_support.h"
#include "policy/auth_results.h"

namespace kenin::milter {
namespace {

std::shared_ptr<const Config> ZoneConfig(const std::string& authserv_id) {
  auto config = std::make_shared<Config>();
  config->dns.zone = {KENIN_TEST_DATA_DIR "/zones/sample.zone"};
  config->authserv_id = authserv_id;
  config->internal_networks = {"127.0.0.0/8"};
  config->score.header = "X-Score";
  config->dkim.max_signatures = 3;
  config->dkim.max_signed_headers = 20;
  config->dkim.min_rsa_bits = 2048;
  config->limits.max_header_bytes = 32768;
  config->dmarc.enforcement = policy::EnforcementMode::kOn;
  return config;
}

TEST(Runtime, SessionOptionsFollowTheConfig) {
  auto runtime = BuildRuntime(ZoneConfig("mx.test"), nullptr);
  ASSERT_TRUE(runtime) << runtime.error();
  const Runtime& r = **runtime;
  EXPECT_EQ(r.authserv_id(), "mx.test");
  EXPECT_EQ(r.session.score.header_name, "X-Score");
  EXPECT_EQ(r.session.dkim.max_signatures, 3u);
  EXPECT_EQ(r.session.dkim.signature.max_signed_headers, 20u);
  EXPECT_EQ(r.session.dkim.max_header_bytes, 32768u);
  EXPECT_EQ(r.session.dkim.key.min_rsa_bits, 2048u);
  EXPECT_EQ(r.session.arc.verifier.key.min_rsa_bits, 2048u);  // ARC follows [dkim]
  EXPECT_EQ(r.session.enforcement, policy::EnforcementMode::kOn);
  EXPECT_TRUE(r.internal.Contains("127.0.0.1"));
  EXPECT_FALSE(r.psl);
}

TEST(Runtime, AuthservIdDefaultsToTheHostName) {
  auto runtime = BuildRuntime(ZoneConfig(""), nullptr);
  ASSERT_TRUE(runtime);
  EXPECT_EQ((*runtime)->authserv_id(), policy::DefaultAuthservId());
  EXPECT_FALSE(policy::DefaultAuthservId().empty());
}

TEST(Runtime, AReloadKeepsTheDnsStackWhenDnsSettingsAreUnchanged) {
  auto first = BuildRuntime(ZoneConfig("a.test"), nullptr);
  auto second = BuildRuntime(ZoneConfig("b.test"), first->get());
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*first)->dns, (*second)->dns);  // same cache
  auto changed = std::make_shared<Config>(*ZoneConfig("c.test"));
  changed->cache.capacity = 5;
  auto third = BuildRuntime(changed, second->get());
  ASSERT_TRUE(third);
  EXPECT_NE((*third)->dns, (*second)->dns);
}

TEST(Runtime, BadZoneFileIsAnError) {
  auto config = std::make_shared<Config>();
  config->dns.zone = {"/nonexistent.zone"};
  auto runtime = BuildRuntime(config, nullptr);
  ASSERT_FALSE(runtime);
  EXPECT_EQ(runtime.error().rfind("dns: ", 0), 0u) << runtime.error();
}

TEST(Runtime, Rfc7489ModeLoadsThePublicSuffixList) {
  auto config = std::make_shared<Config>(*ZoneConfig("mx.test"));
  config->dmarc.mode = policy::DmarcMode::kRfc7489;
  auto runtime = BuildRuntime(config, nullptr);
  ASSERT_TRUE(runtime) << runtime.error();
  EXPECT_TRUE((*runtime)->psl);
  EXPECT_EQ((*runtime)->session.dmarc.public_suffixes, (*runtime)->psl.get());
}

TEST(Runtime, HolderSwaps) {
  RuntimeHolder holder;
  EXPECT_FALSE(holder.Current());
  auto runtime = BuildRuntime(ZoneConfig("mx.test"), nullptr);
  holder.Replace(*runtime);
  EXPECT_EQ(holder.Current(), *runtime);
}

}  // namespace
}  // namespace kenin::milter
