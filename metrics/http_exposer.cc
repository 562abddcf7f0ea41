#include "metrics/http_exposer.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netdb.h>
#include <sys/socket.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

namespace kenin::metrics {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

// Debian 12's civetweb is built without IPv6 (mg_check_feature(8) is 0): it cannot listen on
// an IPv6 address, so host names resolve to IPv4 only and an IPv6 literal is refused here,
// with a reason, rather than by civetweb without one.
bool CivetwebHasIpv6() { return mg_check_feature(8) != 0; }

// Opens and closes a TCP connection to host:port; errors are of no interest.
void Poke(const std::string& host, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  // A wildcard listener is reached on loopback.
  if (host == "0.0.0.0" || inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  close(fd);
}

}  // namespace

tl::expected<std::string, std::string> ListeningAddress(const std::string& address) {
  if (address.starts_with('[')) {
    if (!CivetwebHasIpv6()) {
      return tl::unexpected(std::string(
          "this build's HTTP server (civetweb) has no IPv6: use an IPv4 address or a host name"));
    }
    return address;  // already an IPv6 literal
  }
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return tl::unexpected(std::string("expected HOST:PORT"));
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = CivetwebHasIpv6() ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
  addrinfo* raw = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
    return tl::unexpected("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> info(raw);
  char text[INET6_ADDRSTRLEN] = {};
  if (info->ai_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(info->ai_addr);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + port;
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(info->ai_addr);
  inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
  return std::string(text) + ":" + port;
}

tl::expected<std::unique_ptr<HttpExposer>, std::string> HttpExposer::Start(
    const std::string& address,
    const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables) {
  auto listen = ListeningAddress(address);
  if (!listen) return tl::unexpected(listen.error());
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(*listen, 2);
  } catch (const std::exception&) {
    // civetweb's own text ("null context when constructing CivetServer...") helps nobody.
    return tl::unexpected("cannot listen on " + *listen + " (in use, or not an address of this host)");
  }
  for (const auto& collectable : collectables) exposer->RegisterCollectable(collectable);
  std::string host = listen->substr(0, listen->rfind(':'));
  return std::unique_ptr<HttpExposer>(new HttpExposer(std::move(exposer), std::move(host)));
}

// STOPPING. civetweb's accept loop looks at its stop flag only between polls of the listening
// socket, which wait up to a second, so destroying the Exposer took that long (and so did
// kenind's stop). A connection to the port ends the poll at once: the Exposer is destroyed on
// a helper thread while this one knocks until it is gone. The knock is closed unread; the
// worker that picks it up sees the end of the stream at once.
HttpExposer::~HttpExposer() {
  const int port = this->port();
  std::atomic<bool> stopped{false};
  std::thread stopper([this, &stopped] {
    exposer_.reset();
    stopped.store(true);
  });
  while (!stopped.load()) {
    if (port > 0 && !host_.starts_with('[')) Poke(host_, port);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stopper.join();
}

int HttpExposer::port() const {
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace kenin::metrics
