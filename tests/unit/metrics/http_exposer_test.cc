#include "metrics/http_exposer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace kenin::metrics {
namespace {

// A plain HTTP/1.0 GET over loopback: the whole reply, headers included.
std::string Get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string reply;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) reply.append(buffer, static_cast<size_t>(n));
  close(fd);
  return reply;
}

std::shared_ptr<prometheus::Registry> RegistryWithOneCounter() {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter().Name("kenin_test_total").Help("test").Register(*registry).Add({}).Increment(3);
  return registry;
}

TEST(HttpExposer, ServesTheTextFormatOnMetrics) {
  auto registry = RegistryWithOneCounter();
  auto exposer = HttpExposer::Start("127.0.0.1:0", {registry});
  ASSERT_TRUE(exposer) << exposer.error();
  ASSERT_GT((*exposer)->port(), 0);
  std::string reply = Get((*exposer)->port(), "/metrics");
  EXPECT_NE(reply.find("200 OK"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\nkenin_test_total 3\n"), std::string::npos) << reply;
}

TEST(HttpExposer, BusyPortIsAnErrorNamingTheAddress) {
  auto registry = RegistryWithOneCounter();
  auto first = HttpExposer::Start("127.0.0.1:0", {registry});
  ASSERT_TRUE(first) << first.error();
  const std::string address = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = HttpExposer::Start(address, {registry});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(),
            "cannot listen on " + address + " (in use, or not an address of this host)");
}

TEST(ListeningAddress, HostNamesBecomeAddresses) {
  EXPECT_EQ(ListeningAddress("127.0.0.1:9489"), "127.0.0.1:9489");
  EXPECT_EQ(ListeningAddress("localhost:9489"), "127.0.0.1:9489");
  auto bad = ListeningAddress("no-such-host.invalid:9489");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().starts_with("cannot resolve no-such-host.invalid")) << bad.error();
}

}  // namespace
}  // namespace kenin::metrics
