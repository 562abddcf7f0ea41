// The network backend: asks recursive nameservers over UDP with EDNS0, falls back to TCP
// when a reply is truncated (a 4096-bit key does not fit 512 octets), follows CNAMEs, and
// reports the AD bit. ldns builds and parses the wire format; the sockets are ours so that
// every server can have its own port, timeouts are exact, and replies with the wrong id or
// question are dropped (RFC 5452 §9.1). A whole lookup, CNAME links and TCP fallbacks
// included, ends within timeout x attempts: one deadline, whatever the servers do.
// Thread-safety: Resolve() may be called from many threads; each call uses its own sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"

namespace kenin::dns {

struct NameServer {
  std::string address;  // IPv4 or IPv6 literal
  uint16_t port = 53;
};

// "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 literal.
Result<NameServer> ParseNameServer(std::string_view text);
// The "nameserver" lines of a resolv.conf(5) file.
Result<std::vector<NameServer>> NameServersFromResolvConf(const std::string& path = "/etc/resolv.conf");

// The answer size kenin accepts unless told otherwise (kenind `[dns] max_answer_bytes`, `kenin`
// `--dns-max-answer-bytes`): 16 KB holds any DKIM key, SPF or DMARC record set seen in
// practice and bounds what one cache entry may hold. Both commands share it so that `kenin
// verify` gives the verdict kenind would.
inline constexpr size_t kDefaultMaxAnswerBytes = 16384;

struct LdnsOptions {
  std::vector<NameServer> servers;
  // Each exchange (UDP, or the TCP retry of a truncated reply) waits at most this long for one
  // server; attempts rotate over the servers. The whole lookup has one deadline, timeout x
  // attempts from its start: a lookup that gets no usable reply by then ends as kTimeout, even
  // when every server answers slowly or with an endless CNAME chain.
  std::chrono::milliseconds timeout{2000};
  int attempts = 3;
  uint16_t edns_udp_size = 1232;  // RFC 9715 / DNS flag day 2020: avoids fragmentation
  int max_cname_hops = 8;         // chains are followed up to this many links
  // A matching reply larger than this ends the lookup as kBadReply (over TCP it is refused on
  // its length prefix, before it is read). The largest DNS message is 65535 octets.
  size_t max_answer_bytes = 65535;
};

class LdnsResolver : public BlockingResolver {
 public:
  explicit LdnsResolver(LdnsOptions options);
  Result<Answer> Resolve(const Question& question) override;

 private:
  const LdnsOptions options_;
};

}  // namespace kenin::dns
