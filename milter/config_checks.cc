#include "milter/config_checks.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <set>
#include <vector>

#include "dns/ldns_resolver.h"
#include "milter/networks.h"

namespace kenin::milter {
namespace {

bool ParsePort(std::string_view text) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size() && value >= 1 && value <= 65535;
}

bool IsIpv4(std::string_view text) {
  in_addr addr{};
  return inet_pton(AF_INET, std::string(text).c_str(), &addr) == 1;
}

bool IsIpv6(std::string_view text) {
  in6_addr addr{};
  return inet_pton(AF_INET6, std::string(text).c_str(), &addr) == 1;
}

// RFC 1123 §2.1 host name: letters, digits, '-' and '.', labels of 1..63 octets.
bool IsHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

// RFC 2045 §5.1 token: printable US-ASCII except SPACE and tspecials.
bool IsToken(std::string_view text) {
  static constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";
  if (text.empty()) return false;
  for (char c : text) {
    if (c <= ' ' || c >= 0x7F || kTspecials.find(c) != std::string_view::npos) return false;
  }
  return true;
}

Problem CheckInetSocket(std::string_view rest, bool v6) {
  size_t at = rest.find('@');
  std::string_view port = rest.substr(0, at);
  if (!ParsePort(port)) return "port must be 1..65535";
  if (at == std::string_view::npos) return std::nullopt;  // libmilter: all addresses
  std::string_view host = rest.substr(at + 1);
  bool ok = v6 ? IsIpv6(host) || IsHostName(host) : IsIpv4(host) || IsHostName(host);
  if (!ok) return "bad host '" + std::string(host) + "'";
  return std::nullopt;
}

}  // namespace

Problem CheckSocket(std::string_view spec) {
  size_t colon = spec.find(':');
  std::string_view kind = spec.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  if (kind == "unix" || kind == "local") {
    if (!rest.starts_with('/')) return "unix socket path must be absolute";
    if (rest.size() >= sizeof(sockaddr_un{}.sun_path)) return "unix socket path too long";
    return std::nullopt;
  }
  if (kind == "inet") return CheckInetSocket(rest, false);
  if (kind == "inet6") return CheckInetSocket(rest, true);
  return "expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST";
}

Problem CheckMetricsAddress(std::string_view address) {
  if (address == "off") return std::nullopt;
  std::string_view host;
  std::string_view port;
  if (address.starts_with('[')) {
    size_t close = address.find("]:");
    if (close == std::string_view::npos) return "expected [IPv6]:PORT";
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
    if (!IsIpv6(host)) return "bad IPv6 address '" + std::string(host) + "'";
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return "expected HOST:PORT or off";
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (!IsIpv4(host) && !IsHostName(host)) return "bad host '" + std::string(host) + "'";
  }
  if (!ParsePort(port)) return "port must be 1..65535";
  return std::nullopt;
}

Problem CheckAuthservId(std::string_view id) {
  if (id.size() > 255) return "longer than 255 characters";
  if (!IsToken(id)) return "must be a host name or another RFC 2045 token";
  return std::nullopt;
}

Problem CheckFieldName(std::string_view name) {
  if (name.empty() || name.size() > 76) return "must be 1..76 characters";
  for (char c : name) {
    if (c < 33 || c > 126 || c == ':') return "must be printable ASCII without ':'";
  }
  return std::nullopt;
}

Problem CheckSealerDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return "must be a domain name of 1..253 characters";
  size_t label = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      if (label == 0 || label > 63) return "must be a domain name (labels of 1..63 characters)";
      label = 0;
      continue;
    }
    const auto c = static_cast<unsigned char>(domain[i]);
    if (!(std::isalnum(c) || c == '-' || c == '_')) {
      return "must be a domain name (letters, digits, '-', '_' and dots)";
    }
    ++label;
  }
  return std::nullopt;
}

Problem CheckWeightKey(std::string_view key) {
  // RFC 8601 §2.7.1-§2.7.2 result tokens; DMARC's from RFC 7489 §11.2 / RFC 9989.
  static const std::set<std::string, std::less<>> kKeys = [] {
    std::set<std::string, std::less<>> keys;
    for (const char* r : {"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"}) {
      keys.insert(std::string("dkim=") + r);
    }
    for (const char* r :
         {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"}) {
      keys.insert(std::string("spf=") + r);
    }
    for (const char* r : {"none", "pass", "fail", "temperror", "permerror"}) {
      keys.insert(std::string("dmarc=") + r);
    }
    return keys;
  }();
  if (kKeys.count(key) == 0)
    return "expected dkim=, spf= or dmarc= with one of its RFC 8601 results";
  return std::nullopt;
}

Problem CheckNameServer(std::string_view server) {
  auto parsed = dns::ParseNameServer(server);
  if (!parsed) return parsed.error().detail;
  return std::nullopt;
}

Problem CheckNetwork(std::string_view cidr) {
  auto network = ParseNetwork(cidr);
  if (!network) return network.error();
  return std::nullopt;
}

Problem CheckUser(const std::string& user) {
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return "no such user '" + user + "'";
  }
  return std::nullopt;
}

Problem CheckReadableFile(const std::string& path) {
  if (access(path.c_str(), R_OK) != 0) return "cannot read " + path;
  return std::nullopt;
}

Problem CheckAbsolutePath(std::string_view path) {
  if (!path.starts_with('/')) return "must be an absolute path";
  return std::nullopt;
}

}  // namespace kenin::milter
