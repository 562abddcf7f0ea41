#include "milter/networks.h"

#include <charconv>

namespace kenin::milter {

tl::expected<Network, std::string> ParseNetwork(std::string_view cidr) {
  size_t slash = cidr.find('/');
  std::string_view address = cidr.substr(0, slash);
  Network network;
  if (auto v4 = policy::ParseSpfIp4(address)) {
    network.address = *v4;
  } else if (auto v6 = policy::ParseSpfIp6(address)) {
    network.address = *v6;
  } else {
    return tl::unexpected("not an IP address: '" + std::string(address) + "'");
  }
  const int max_prefix = network.address.v6 ? 128 : 32;
  network.prefix = max_prefix;
  if (slash != std::string_view::npos) {
    std::string_view prefix = cidr.substr(slash + 1);
    int value = -1;
    auto [ptr, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), value);
    if (ec != std::errc() || ptr != prefix.data() + prefix.size() || value < 0 ||
        value > max_prefix) {
      return tl::unexpected("prefix length must be 0.." + std::to_string(max_prefix));
    }
    network.prefix = value;
  }
  return network;
}

NetworkList::NetworkList(const std::vector<std::string>& cidrs) {
  for (const std::string& cidr : cidrs) {
    if (auto network = ParseNetwork(cidr)) networks_.push_back(*network);
  }
}

bool NetworkList::Contains(std::string_view client_ip) const {
  // ::ffff:a.b.c.d is the IPv4 client a.b.c.d (ParseSpfClientIp maps it).
  auto ip = policy::ParseSpfClientIp(client_ip);
  if (!ip) return false;
  for (const Network& network : networks_) {
    if (policy::InSpfNetwork(*ip, network.address, network.prefix)) return true;
  }
  return false;
}

}  // namespace kenin::milter
