// Client networks given in CIDR notation (config key internal_networks): mail from them is
// not verified. IPv4-mapped IPv6 clients match IPv4 networks (RFC 4291 §2.5.5.2), as SPF
// treats them (policy/spf_ip.h). Immutable after construction; safe to share across threads.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "policy/spf_ip.h"

namespace kenin::milter {

struct Network {
  policy::SpfAddress address;
  int prefix = 0;
};

// "192.0.2.0/24", "2001:db8::/32", or a bare address (a /32 or /128). Error: what is wrong.
tl::expected<Network, std::string> ParseNetwork(std::string_view cidr);

class NetworkList {
 public:
  NetworkList() = default;
  // REQUIRES: every entry passes ParseNetwork (the configuration was checked).
  explicit NetworkList(const std::vector<std::string>& cidrs);

  // True when the client address (IPv4 or IPv6 text) lies in one of the networks.
  bool Contains(std::string_view client_ip) const;
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<Network> networks_;
};

}  // namespace kenin::milter
