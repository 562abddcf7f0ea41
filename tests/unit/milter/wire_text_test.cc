#include "milter/wire_text.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace kenin::milter {
namespace {

TEST(WireText, FoldsBecomeCrlf) {
  EXPECT_EQ(WireHeaderValue(" a\n\tb\n c", true), " a\r\n\tb\r\n c");
  EXPECT_EQ(WireHeaderValue(" a\r\n\tb", true), " a\r\n\tb");  // already CRLF: unchanged
  EXPECT_EQ(WireHeaderValue("  two spaces", true), "  two spaces");
}

TEST(WireText, WithoutLeadingSpaceNegotiationOneSpaceIsPutBack) {
  EXPECT_EQ(WireHeaderValue("value", false), " value");
  EXPECT_EQ(WireHeaderValue("", false), " ");
}

TEST(WireText, OutgoingValues) {
  EXPECT_EQ(OutgoingHeaderValue("mx;\n\tdkim=none", true), " mx;\n\tdkim=none");
  EXPECT_EQ(OutgoingHeaderValue("mx;\n\tdkim=none", false), "mx;\n\tdkim=none");
}

TEST(WireText, EnvelopeAddresses) {
  EXPECT_EQ(EnvelopeAddress("<user@example.org>"), "user@example.org");
  EXPECT_EQ(EnvelopeAddress("<>"), "");
  EXPECT_EQ(EnvelopeAddress("user@example.org"), "user@example.org");
  EXPECT_EQ(EnvelopeAddress(" <user@example.org> "), "user@example.org");
  EXPECT_EQ(EnvelopeAddress("<@relay.example,@b.example:user@example.org>"), "user@example.org");
  EXPECT_EQ(EnvelopeAddress("<user@example.org"), "user@example.org");
}

TEST(WireText, ClientAddresses) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "192.0.2.1", &v4.sin_addr);
  EXPECT_EQ(ClientAddress(reinterpret_cast<sockaddr*>(&v4)), "192.0.2.1");
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "2001:db8::25", &v6.sin6_addr);
  EXPECT_EQ(ClientAddress(reinterpret_cast<sockaddr*>(&v6)), "2001:db8::25");
  sockaddr_un local{};
  local.sun_family = AF_UNIX;
  EXPECT_EQ(ClientAddress(reinterpret_cast<sockaddr*>(&local)), "");
  EXPECT_EQ(ClientAddress(nullptr), "");
}

TEST(WireText, ReplyTextIsPlainAscii) {
  EXPECT_EQ(ReplyText("a%b\\c\r\nd\x01\xff"), "abcd");
  EXPECT_EQ(ReplyText(std::string(300, 'x')).size(), 200u);
}

}  // namespace
}  // namespace kenin::milter
