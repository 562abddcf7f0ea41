#include "milter/config_checks.h"

#include <gtest/gtest.h>

namespace kenin::milter {
namespace {

TEST(ConfigChecks, Sockets) {
  EXPECT_FALSE(CheckSocket("inet:8891@127.0.0.1"));
  EXPECT_FALSE(CheckSocket("inet:8891@mx.example.net"));
  EXPECT_FALSE(CheckSocket("inet:8891"));
  EXPECT_FALSE(CheckSocket("inet6:8891@::1"));
  EXPECT_FALSE(CheckSocket("unix:/run/kenin/kenind.sock"));
  EXPECT_FALSE(CheckSocket("local:/run/kenind.sock"));
  EXPECT_EQ(CheckSocket("unix:run/kenind.sock"), "unix socket path must be absolute");
  EXPECT_EQ(CheckSocket("unix:/" + std::string(200, 'a')), "unix socket path too long");
  EXPECT_EQ(CheckSocket("inet:70000@127.0.0.1"), "port must be 1..65535");
  EXPECT_EQ(CheckSocket("inet:x@127.0.0.1"), "port must be 1..65535");
  EXPECT_EQ(CheckSocket("inet:25@::1"), "bad host '::1'");
  EXPECT_EQ(CheckSocket("127.0.0.1:8891"),
            "expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST");
}

TEST(ConfigChecks, MetricsAddresses) {
  EXPECT_FALSE(CheckMetricsAddress("off"));
  EXPECT_FALSE(CheckMetricsAddress("127.0.0.1:9489"));
  EXPECT_FALSE(CheckMetricsAddress("localhost:9489"));
  EXPECT_FALSE(CheckMetricsAddress("[::1]:9489"));
  EXPECT_EQ(CheckMetricsAddress("9489"), "expected HOST:PORT or off");
  EXPECT_EQ(CheckMetricsAddress("127.0.0.1:0"), "port must be 1..65535");
  EXPECT_EQ(CheckMetricsAddress("[::1:9489"), "expected [IPv6]:PORT");
  EXPECT_EQ(CheckMetricsAddress("bad host:1"), "bad host 'bad host'");
}

TEST(ConfigChecks, AuthservIdIsAToken) {
  EXPECT_FALSE(CheckAuthservId("mx.example.net"));
  EXPECT_TRUE(CheckAuthservId(""));
  EXPECT_TRUE(CheckAuthservId("mx example"));
  EXPECT_TRUE(CheckAuthservId("mx;example"));
  EXPECT_TRUE(CheckAuthservId("mx\"x"));
  EXPECT_TRUE(CheckAuthservId(std::string(256, 'a')));
}

TEST(ConfigChecks, FieldNames) {
  EXPECT_FALSE(CheckFieldName("X-Kenin-Score"));
  EXPECT_TRUE(CheckFieldName(""));
  EXPECT_TRUE(CheckFieldName("X:Score"));
  EXPECT_TRUE(CheckFieldName("X Score"));
}

TEST(ConfigChecks, WeightKeysUseEachMethodsResults) {
  EXPECT_FALSE(CheckWeightKey("dkim=policy"));
  EXPECT_FALSE(CheckWeightKey("spf=softfail"));
  EXPECT_FALSE(CheckWeightKey("dmarc=temperror"));
  EXPECT_TRUE(CheckWeightKey("dmarc=softfail"));
  EXPECT_TRUE(CheckWeightKey("dkim=softfail"));
  EXPECT_TRUE(CheckWeightKey("arc=pass"));
  EXPECT_TRUE(CheckWeightKey("DKIM=pass"));
}

TEST(ConfigChecks, NameServersAndNetworks) {
  EXPECT_FALSE(CheckNameServer("127.0.0.1"));
  EXPECT_FALSE(CheckNameServer("[::1]:5353"));
  EXPECT_TRUE(CheckNameServer("resolver.example"));
  EXPECT_FALSE(CheckNetwork("10.0.0.0/8"));
  EXPECT_FALSE(CheckNetwork("2001:db8::/32"));
  EXPECT_TRUE(CheckNetwork("10.0.0.0/40"));
}

TEST(ConfigChecks, UsersAndFiles) {
  EXPECT_FALSE(CheckUser("root"));
  EXPECT_EQ(CheckUser("no-such-user-kenin"), "no such user 'no-such-user-kenin'");
  EXPECT_FALSE(CheckReadableFile(KENIN_TEST_DATA_DIR "/zones/sample.zone"));
  EXPECT_EQ(CheckReadableFile("/nonexistent"), "cannot read /nonexistent");
  EXPECT_EQ(CheckAbsolutePath("x"), "must be an absolute path");
}

}  // namespace
}  // namespace kenin::milter
