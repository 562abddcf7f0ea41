// DisableNagleOnListener (milter/listener.h): connections accepted from the milter's listening
// socket have TCP_NODELAY set, found by port among the process's descriptors. TcpConnection and
// AckNow: which connections get their ACKs sent at once.
#include "milter/listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace kenin::milter {
namespace {

// A loopback listener on a free port; closes its descriptors on destruction.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 4);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

  // TCP_NODELAY of the server side of one new connection.
  int AcceptedNoDelay() const {
    int client = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address);
    int accepted = accept(fd_, nullptr, nullptr);
    int value = -1;
    socklen_t size = sizeof value;
    getsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &value, &size);
    close(accepted);
    close(client);
    return value;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(Listener, AcceptedConnectionsGetNoDelay) {
  Listener listener;
  ASSERT_EQ(listener.AcceptedNoDelay(), 0);  // the kernel default: Nagle on
  EXPECT_EQ(DisableNagleOnListener("inet:" + std::to_string(listener.port()) + "@127.0.0.1"),
            std::nullopt);
  EXPECT_EQ(listener.AcceptedNoDelay(), 1);
}

TEST(Listener, OtherPortsAreLeftAlone) {
  Listener ours, other;
  ASSERT_FALSE(DisableNagleOnListener("inet:" + std::to_string(ours.port()) + "@127.0.0.1"));
  EXPECT_EQ(other.AcceptedNoDelay(), 0);
}

TEST(Listener, UnixSocketsNeedNothing) {
  EXPECT_EQ(DisableNagleOnListener("unix:/run/kenin/kenind.sock"), std::nullopt);
  EXPECT_EQ(DisableNagleOnListener("local:/run/kenin/kenind.sock"), std::nullopt);
}

TEST(Listener, NoListenerOnThePortIsReported) {
  Listener listener;
  int unused = listener.port() == 1 ? 2 : 1;  // port 1: nothing of ours listens there
  std::optional<std::string> problem = DisableNagleOnListener("inet:" + std::to_string(unused));
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("no listening socket"), std::string::npos);
}

TEST(Listener, TcpConnectionsAreTold) {
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  int tcp6 = socket(AF_INET6, SOCK_STREAM, 0);
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  int pair[2] = {-1, -1};
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  EXPECT_EQ(TcpConnection(tcp), tcp);
  if (tcp6 >= 0) {  // a kernel without IPv6 has none
    EXPECT_EQ(TcpConnection(tcp6), tcp6);
  }
  EXPECT_EQ(TcpConnection(udp), -1);
  EXPECT_EQ(TcpConnection(pair[0]), -1);  // unix sockets: no delayed ACKs
  EXPECT_EQ(TcpConnection(-1), -1);
  int file = dup(STDIN_FILENO);
  if (file >= 0) {
    EXPECT_EQ(TcpConnection(file), -1);
  }
  for (int fd : {tcp, tcp6, udp, pair[0], pair[1], file}) {
    if (fd >= 0) close(fd);
  }
}

TEST(Listener, AckNowSetsQuickAck) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  AckNow(fd);
  int value = -1;
  socklen_t size = sizeof value;
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &value, &size), 0);
  EXPECT_EQ(value, 1);
  close(fd);
  AckNow(-1);  // errors are ignored
}

}  // namespace
}  // namespace kenin::milter
