// The pull endpoint: GET /metrics on HOST:PORT in the Prometheus text format, served by
// prometheus-cpp's Exposer (civetweb, two threads of its own). Started once per process;
// threads it starts inherit the caller's signal mask.
// Thread-safety: the collectables it serves are collected on its threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <tl/expected.hpp>

namespace kenin::metrics {

class HttpExposer {
 public:
  // Listens on `address` ("HOST:PORT", "[IPv6]:PORT"; a host name is resolved here, since
  // civetweb takes only addresses) and serves `collectables`, which must outlive it. Port 0
  // picks a free one (tests). Error text says what failed, without naming any key.
  static tl::expected<std::unique_ptr<HttpExposer>, std::string> Start(
      const std::string& address,
      const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables);

  // Stops serving, in milliseconds rather than civetweb's poll quantum (http_exposer.cc).
  ~HttpExposer();

  int port() const;  // the port listened on

 private:
  HttpExposer(std::unique_ptr<prometheus::Exposer> exposer, std::string host)
      : exposer_(std::move(exposer)), host_(std::move(host)) {}
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string host_;  // the address listened on, without the port
};

// "HOST:PORT" or "[IPv6]:PORT" with HOST resolved to an address, in civetweb's notation
// ("192.0.2.1:9489", "[::1]:9489"). Error text when it does not resolve.
tl::expected<std::string, std::string> ListeningAddress(const std::string& address);

}  // namespace kenin::metrics
