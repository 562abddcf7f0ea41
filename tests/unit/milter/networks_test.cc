#include "milter/networks.h"

#include <gtest/gtest.h>

namespace kenin::milter {
namespace {

TEST(Networks, Ipv4Prefixes) {
  NetworkList list({"192.0.2.0/24", "10.1.2.3"});
  EXPECT_TRUE(list.Contains("192.0.2.1"));
  EXPECT_TRUE(list.Contains("192.0.2.255"));
  EXPECT_FALSE(list.Contains("192.0.3.1"));
  EXPECT_TRUE(list.Contains("10.1.2.3"));
  EXPECT_FALSE(list.Contains("10.1.2.4"));
}

TEST(Networks, Ipv6AndMappedIpv4) {
  NetworkList list({"2001:db8::/32", "127.0.0.0/8"});
  EXPECT_TRUE(list.Contains("2001:db8:1::25"));
  EXPECT_FALSE(list.Contains("2001:db9::25"));
  EXPECT_TRUE(list.Contains("::ffff:127.0.0.1"));  // RFC 4291 §2.5.5.2: the IPv4 client
  EXPECT_FALSE(list.Contains("::1"));
}

TEST(Networks, ZeroPrefixMatchesItsFamilyOnly) {
  NetworkList list({"0.0.0.0/0"});
  EXPECT_TRUE(list.Contains("203.0.113.9"));
  EXPECT_FALSE(list.Contains("2001:db8::1"));
}

TEST(Networks, NothingMatchesAnEmptyListOrABadAddress) {
  EXPECT_TRUE(NetworkList().empty());
  EXPECT_FALSE(NetworkList().Contains("127.0.0.1"));
  EXPECT_FALSE(NetworkList({"127.0.0.0/8"}).Contains(""));
  EXPECT_FALSE(NetworkList({"127.0.0.0/8"}).Contains("localhost"));
}

TEST(Networks, ParseErrorsSayWhat) {
  EXPECT_EQ(ParseNetwork("10.0.0.0/33").error(), "prefix length must be 0..32");
  EXPECT_EQ(ParseNetwork("::/129").error(), "prefix length must be 0..128");
  EXPECT_EQ(ParseNetwork("10.0.0.0/").error(), "prefix length must be 0..32");
  EXPECT_EQ(ParseNetwork("example.net/8").error(), "not an IP address: 'example.net'");
  EXPECT_EQ(ParseNetwork("10.0.0.1")->prefix, 32);
}

}  // namespace
}  // namespace kenin::milter
