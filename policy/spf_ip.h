// IP addresses as SPF sees them (RFC 7208): IPv4 or IPv6, the IPv4-mapped IPv6 client
// treated as IPv4 (§5), CIDR prefix comparison (§5.6), the reverse-mapping name used by "ptr"
// and %{p} (§5.5), and the text forms of the i and c macros (§7.3). Plain values, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kenin::policy {

struct SpfAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  bool operator==(const SpfAddress&) const = default;
};

// RFC 7208 §5.6 ip4-network: dotted quad, no leading zeros, nothing else.
std::optional<SpfAddress> ParseSpfIp4(std::string_view text);
// RFC 7208 §5.6 ip6-network (RFC 4291 §2.2 text). An IPv4-mapped address stays IPv6.
std::optional<SpfAddress> ParseSpfIp6(std::string_view text);
// The SMTP client: IPv4 or IPv6 text; ::ffff:a.b.c.d becomes IPv4 a.b.c.d (RFC 7208 §5:
// "an IPv4-mapped IPv6 IP address ... MUST still be considered an IPv4 address").
std::optional<SpfAddress> ParseSpfClientIp(std::string_view text);

// True when `ip` and `network` are the same family and agree on the first `prefix` bits.
// REQUIRES: 0 <= prefix <= 32 (IPv4) or 128 (IPv6).
bool InSpfNetwork(const SpfAddress& ip, const SpfAddress& network, int prefix);

// "4.3.2.1.in-addr.arpa" or the 32 nibbles of ip6.arpa (RFC 1035 §3.5, RFC 3596 §2.5).
std::string SpfReverseName(const SpfAddress& ip);
// %{i} (§7.3): dotted quad, or 32 dot-separated lower-case nibbles for IPv6 (as §7.4 shows).
std::string SpfMacroI(const SpfAddress& ip);
// %{c} (§7.3): dotted quad, or the RFC 5952 compressed IPv6 text.
std::string SpfMacroC(const SpfAddress& ip);

}  // namespace kenin::policy
