// SPF addresses: parsing (RFC 7208 §5.6), IPv4-mapped clients (§5), prefixes, and the text
// forms used by "ptr" and the i/c macros (§5.5, §7.3).
#include "policy/spf_ip.h"

#include <gtest/gtest.h>

namespace kenin::policy {
namespace {

TEST(SpfIp, Ip4NetworkIsStrictDottedQuad) {
  EXPECT_TRUE(ParseSpfIp4("192.0.2.1"));
  EXPECT_TRUE(ParseSpfIp4("0.0.0.0"));
  EXPECT_TRUE(ParseSpfIp4("255.255.255.255"));
  for (const char* text : {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.4 ", "1..2.3",
                           "a.b.c.d", "1.2.3.-4", "::1", "1.2.3.4/24"}) {
    EXPECT_FALSE(ParseSpfIp4(text)) << text;
  }
}

TEST(SpfIp, Ip6NetworkAndMappedClients) {
  auto v6 = ParseSpfIp6("2001:DB8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->v6);
  EXPECT_FALSE(ParseSpfIp6("::CAFE::BABE"));
  EXPECT_FALSE(ParseSpfIp6(std::string(100, '1')));
  EXPECT_FALSE(ParseSpfIp6(std::string("2001:db8::1\0junk", 16)));  // NUL: inet_pton stops there
  auto mapped = ParseSpfIp6("::ffff:1.2.3.4");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->v6) << "an ip6 network stays IPv6";
  auto client = ParseSpfClientIp("::FFFF:1.2.3.4");
  ASSERT_TRUE(client);
  EXPECT_FALSE(client->v6) << "RFC 7208 §5: an IPv4-mapped client is IPv4";
  EXPECT_EQ(*client, *ParseSpfIp4("1.2.3.4"));
  EXPECT_FALSE(ParseSpfClientIp("mail.example.com"));
}

TEST(SpfIp, Prefixes) {
  auto ip = *ParseSpfClientIp("192.0.2.130");
  EXPECT_TRUE(InSpfNetwork(ip, *ParseSpfIp4("192.0.2.128"), 25));
  EXPECT_FALSE(InSpfNetwork(ip, *ParseSpfIp4("192.0.2.0"), 25));
  EXPECT_TRUE(InSpfNetwork(ip, *ParseSpfIp4("1.1.1.1"), 0));
  EXPECT_TRUE(InSpfNetwork(ip, ip, 32));
  EXPECT_FALSE(InSpfNetwork(ip, *ParseSpfIp6("::"), 0)) << "families never match";
  auto v6 = *ParseSpfClientIp("cafe:babe:8000::1");
  EXPECT_TRUE(InSpfNetwork(v6, *ParseSpfIp6("cafe:babe:8000::"), 33));
  EXPECT_FALSE(InSpfNetwork(v6, *ParseSpfIp6("cafe:babe::"), 33));
  EXPECT_TRUE(InSpfNetwork(v6, *ParseSpfIp6("cafe:babe::"), 32));
  EXPECT_TRUE(InSpfNetwork(v6, v6, 128));
}

TEST(SpfIp, TextForms) {
  auto v4 = *ParseSpfClientIp("192.0.2.3");
  EXPECT_EQ(SpfReverseName(v4), "3.2.0.192.in-addr.arpa");
  EXPECT_EQ(SpfMacroI(v4), "192.0.2.3");
  EXPECT_EQ(SpfMacroC(v4), "192.0.2.3");
  auto v6 = *ParseSpfClientIp("2001:DB8::CB01");
  EXPECT_EQ(SpfReverseName(v6),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_EQ(SpfMacroI(v6), "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
  EXPECT_EQ(SpfMacroC(v6), "2001:db8::cb01");
}

}  // namespace
}  // namespace kenin::policy
