// The checks one configuration value must pass, shared by the TOML reader (which adds the key
// and the line) and the command-line flags. Each returns the problem in a few words, or
// nullopt when the value is fine. Pure functions; no I/O except where named (files, users).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kenin::milter {

using Problem = std::optional<std::string>;

// libmilter connection spec: unix:/abs/path, local:/abs/path, inet:PORT[@HOST],
// inet6:PORT[@HOST] (smfi_setconn(3)).
Problem CheckSocket(std::string_view spec);
// "off", or HOST:PORT with HOST an IPv4 address, a [bracketed] IPv6 address or a host name.
Problem CheckMetricsAddress(std::string_view address);
// RFC 8601 §2.2 authserv-id written as a bare RFC 2045 token (what the renderer emits).
Problem CheckAuthservId(std::string_view id);
// RFC 5322 §3.6.8 field-name: printable US-ASCII except ':'.
Problem CheckFieldName(std::string_view name);
// "method=result" with a result RFC 8601 defines for that method (dkim, spf, dmarc).
Problem CheckWeightKey(std::string_view key);
// A domain name as an ARC-Seal d= holds it (RFC 6376 §3.5 domain-name): dot-separated
// labels of letters, digits, '-' and '_', each 1..63 octets, 253 in all.
Problem CheckSealerDomain(std::string_view domain);
// A nameserver as IP or IP:PORT ([IPv6]:PORT), as the resolver takes it.
Problem CheckNameServer(std::string_view server);
// An IPv4 or IPv6 network "ADDR/PREFIX", or a bare address.
Problem CheckNetwork(std::string_view cidr);
// A user name known to the system (getpwnam).
Problem CheckUser(const std::string& user);
// A file this process can read.
Problem CheckReadableFile(const std::string& path);
// An absolute path.
Problem CheckAbsolutePath(std::string_view path);

}  // namespace kenin::milter
