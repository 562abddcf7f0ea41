// A nameserver on 127.0.0.1 for the network resolver's unit tests: one thread serves a UDP
// socket and a TCP listener on the same port, and the test scripts each reply. The resolver
// under test talks to it over real sockets, with its real deadlines; the hostile server of the
// end-to-end test is tests/e2e/hostile_dns.py.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dns/ldns_resolver.h"

namespace kenin::dns::testing {

using Bytes = std::vector<uint8_t>;

struct PktDeleter {
  void operator()(ldns_pkt* pkt) const { ldns_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

// The reply to `query`: its id and question, QR set, NOERROR, `records` (zone-file lines) in
// the answer section.
inline PktPtr ReplyTo(const ldns_pkt* query, const std::vector<std::string>& records = {}) {
  PktPtr reply(ldns_pkt_new());
  ldns_pkt_set_id(reply.get(), ldns_pkt_id(query));
  ldns_pkt_set_qr(reply.get(), true);
  ldns_pkt_set_rd(reply.get(), true);
  ldns_pkt_set_ra(reply.get(), true);
  ldns_pkt_push_rr(reply.get(), LDNS_SECTION_QUESTION,
                   ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(query), 0)));
  for (const std::string& line : records) {
    ldns_rr* rr = nullptr;
    EXPECT_EQ(ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr), LDNS_STATUS_OK) << line;
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_ANSWER, rr);
  }
  return reply;
}

inline Bytes Wire(const ldns_pkt* pkt) {
  uint8_t* raw = nullptr;
  size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&raw, pkt, &size), LDNS_STATUS_OK);
  Bytes wire(raw, raw + size);
  std::free(raw);
  return wire;
}

// The question name of `query`, with its final dot.
inline std::string QuestionName(const ldns_pkt* query) {
  char* text = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(query), 0)));
  std::string name = text;
  std::free(text);
  return name;
}

// A TXT record at the question name of `query` whose value is `size` octets of 'x'.
inline std::string BigTxt(const ldns_pkt* query, size_t size) {
  std::string line = QuestionName(query) + " 60 IN TXT";
  for (size_t done = 0; done < size; done += 255) line += " \"" + std::string(std::min<size_t>(255, size - done), 'x') + "\"";
  return line;
}

struct UdpScript {
  std::chrono::milliseconds delay{0};  // before the replies are sent
  std::function<std::vector<Bytes>(const ldns_pkt* query)> replies;
};

// TCP: the bytes written after the query is read (framing included: the script may lie about
// the length), then the connection is closed, or held open until the server stops.
struct TcpScript {
  std::function<Bytes(const ldns_pkt* query)> reply;
  bool hold_open = false;
};

inline Bytes Framed(const Bytes& message) {
  Bytes out(message.size() + 2);
  out[0] = static_cast<uint8_t>(message.size() >> 8);
  out[1] = static_cast<uint8_t>(message.size());
  std::copy(message.begin(), message.end(), out.begin() + 2);
  return out;
}

class FakeNameServer {
 public:
  explicit FakeNameServer(UdpScript udp, TcpScript tcp = {}) : udp_script_(std::move(udp)), tcp_script_(std::move(tcp)) {
    for (int tries = 0; tries < 20 && tcp_ < 0; ++tries) Bind();
    if (tcp_ >= 0) thread_ = std::thread([this] { Serve(); });
  }
  ~FakeNameServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int fd : held_) close(fd);
    if (udp_ >= 0) close(udp_);
    if (tcp_ >= 0) close(tcp_);
  }
  FakeNameServer(const FakeNameServer&) = delete;
  FakeNameServer& operator=(const FakeNameServer&) = delete;

  bool ok() const { return tcp_ >= 0; }
  NameServer address() const { return NameServer{"127.0.0.1", port_}; }
  int udp_queries() const { return udp_queries_; }
  int tcp_queries() const { return tcp_queries_; }
  int edns_size() const { return edns_size_; }  // of the last UDP query

 private:
  void Bind() {
    udp_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(udp_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(udp_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    tcp_ = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(tcp_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(tcp_, 16) != 0) {
      close(tcp_);
      close(udp_);
      tcp_ = udp_ = -1;
    }
  }

  void Serve() {
    while (!stop_) {
      pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (poll(fds, 2, 10) <= 0) continue;
      if (fds[0].revents & POLLIN) ServeUdp();
      if (fds[1].revents & POLLIN) ServeTcp();
    }
  }

  void ServeUdp() {
    uint8_t buffer[65535];
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    ssize_t n = recvfrom(udp_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &length);
    ldns_pkt* raw = nullptr;
    if (n <= 0 || ldns_wire2pkt(&raw, buffer, static_cast<size_t>(n)) != LDNS_STATUS_OK) return;
    PktPtr query(raw);
    ++udp_queries_;
    edns_size_ = ldns_pkt_edns_udp_size(query.get());
    std::this_thread::sleep_for(udp_script_.delay);
    for (const Bytes& reply : udp_script_.replies(query.get())) {
      sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), length);
    }
  }

  void ServeTcp() {
    int fd = accept(tcp_, nullptr, nullptr);
    if (fd < 0) return;
    timeval patience{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    uint8_t prefix[2];
    Bytes wire;
    if (recv(fd, prefix, 2, MSG_WAITALL) == 2) {
      wire.resize(static_cast<size_t>(prefix[0]) << 8 | prefix[1]);
      if (recv(fd, wire.data(), wire.size(), MSG_WAITALL) != static_cast<ssize_t>(wire.size())) wire.clear();
    }
    ldns_pkt* raw = nullptr;
    if (!wire.empty() && ldns_wire2pkt(&raw, wire.data(), wire.size()) == LDNS_STATUS_OK) {
      PktPtr query(raw);
      ++tcp_queries_;
      Bytes reply = tcp_script_.reply ? tcp_script_.reply(query.get()) : Bytes{};
      if (!reply.empty()) send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    if (tcp_script_.hold_open) {
      held_.push_back(fd);
    } else {
      close(fd);
    }
  }

  UdpScript udp_script_;
  TcpScript tcp_script_;
  int udp_ = -1;
  int tcp_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> udp_queries_{0};
  std::atomic<int> tcp_queries_{0};
  std::atomic<int> edns_size_{0};
  std::vector<int> held_;  // only the server thread touches it until the destructor joins
  std::thread thread_;
};

}  // namespace kenin::dns::testing
