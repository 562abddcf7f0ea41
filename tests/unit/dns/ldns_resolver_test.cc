// Configuration parsing of the network backend. Its behaviour on the wire is tested against
// a real DNS server in tests/integration/.
#include "dns/ldns_resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

namespace kenin::dns {
namespace {

TEST(ParseNameServer, AcceptsV4V6WithAndWithoutPort) {
  auto v4 = ParseNameServer("127.0.0.1");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address, "127.0.0.1");
  EXPECT_EQ(v4->port, 53);
  auto v4_port = ParseNameServer("127.0.0.1:5353");
  ASSERT_TRUE(v4_port);
  EXPECT_EQ(v4_port->port, 5353);
  auto v6 = ParseNameServer("::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(v6->port, 53);
  auto v6_port = ParseNameServer("[::1]:5300");
  ASSERT_TRUE(v6_port);
  EXPECT_EQ(v6_port->address, "::1");
  EXPECT_EQ(v6_port->port, 5300);
}

TEST(ParseNameServer, RejectsNamesBadPortsAndBrackets) {
  EXPECT_FALSE(ParseNameServer("dns.example.com"));
  EXPECT_FALSE(ParseNameServer("127.0.0.1:0"));
  EXPECT_FALSE(ParseNameServer("127.0.0.1:65536"));
  EXPECT_FALSE(ParseNameServer("127.0.0.1:53x"));
  EXPECT_FALSE(ParseNameServer("[::1"));
  EXPECT_FALSE(ParseNameServer("[::1]x53"));
  EXPECT_FALSE(ParseNameServer(""));
}

TEST(NameServersFromResolvConf, ReadsNameserverLinesOnly) {
  std::string path = ::testing::TempDir() + "/resolv.conf";
  std::ofstream(path) << "# comment\nsearch example.com\nnameserver 192.0.2.1\n"
                         "nameserver fe80::1%eth0\noptions ndots:2\nnameserver bogus\n";
  auto servers = NameServersFromResolvConf(path);
  ASSERT_TRUE(servers) << servers.error().detail;
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].address, "192.0.2.1");
  EXPECT_EQ((*servers)[1].address, "fe80::1");
  std::remove(path.c_str());
}

TEST(NameServersFromResolvConf, MissingFileOrNoServersIsAnError) {
  EXPECT_FALSE(NameServersFromResolvConf("/nonexistent/resolv.conf"));
  std::string path = ::testing::TempDir() + "/empty-resolv.conf";
  std::ofstream(path) << "search example.com\n";
  EXPECT_FALSE(NameServersFromResolvConf(path));
  std::remove(path.c_str());
}

TEST(LdnsResolver, NoServersIsATransportError) {
  LdnsResolver resolver(LdnsOptions{});
  auto answer = resolver.Resolve(Question{"example.com", RecordType::kTxt});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kTransport);
}

// Loopback port 9 (discard) has no DNS server: a refused or silent server ends the lookup as
// an error within timeout x attempts, never a hang.
TEST(LdnsResolver, UnreachableServerEndsWithinTheBound) {
  LdnsOptions options;
  options.servers = {*ParseNameServer("127.0.0.1:9")};
  options.timeout = std::chrono::milliseconds(200);
  options.attempts = 2;
  LdnsResolver resolver(options);
  auto started = std::chrono::steady_clock::now();
  auto answer = resolver.Resolve(Question{"example.com", RecordType::kTxt});
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kTimeout);
  EXPECT_LT(elapsed, std::chrono::milliseconds(600));
}

// A server that reads every query and never answers: each attempt sends the query again, each
// time with a new id (RFC 5452 §9.2: a reply meant for an earlier attempt must not match).
TEST(LdnsResolver, EveryAttemptHasItsOwnQueryId) {
  int silent = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);

  LdnsOptions options;
  options.servers = {*ParseNameServer("127.0.0.1:" + std::to_string(ntohs(address.sin_port)))};
  options.timeout = std::chrono::milliseconds(50);
  options.attempts = 4;
  std::thread ask([&options] { LdnsResolver(options).Resolve(Question{"example.com", RecordType::kTxt}); });
  std::vector<uint16_t> ids;
  pollfd ready{silent, POLLIN, 0};
  while (ids.size() < 4 && poll(&ready, 1, 2000) == 1) {
    uint8_t packet[512];
    if (recv(silent, packet, sizeof packet, 0) >= 2) ids.push_back(static_cast<uint16_t>(packet[0] << 8 | packet[1]));
  }
  ask.join();
  close(silent);
  ASSERT_EQ(ids.size(), 4u);
  // Random 16-bit ids: one chance clash among 4 happens ~1 run in 10,000, two ~1 in 10^8.
  // The old behaviour (one id for every attempt) gives 1.
  EXPECT_GE(std::set<uint16_t>(ids.begin(), ids.end()).size(), 3u);
}

}  // namespace
}  // namespace kenin::dns
