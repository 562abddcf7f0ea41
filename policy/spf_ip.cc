#include "policy/spf_ip.h"

#include <arpa/inet.h>

namespace kenin::policy {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// RFC 7208 §5.6 qnum: 0-255 written without leading zeros.
std::optional<uint8_t> ParseQnum(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 255) return std::nullopt;
  return static_cast<uint8_t>(value);
}

bool IsV4Mapped(const SpfAddress& ip) {
  for (int i = 0; i < 10; ++i) {
    if (ip.bytes[static_cast<size_t>(i)] != 0) return false;
  }
  return ip.bytes[10] == 0xff && ip.bytes[11] == 0xff;
}

}  // namespace

std::optional<SpfAddress> ParseSpfIp4(std::string_view text) {
  SpfAddress out;
  for (size_t i = 0; i < 4; ++i) {
    size_t dot = text.find('.');
    std::string_view part = i < 3 ? text.substr(0, dot) : text;
    if (i < 3 && dot == std::string_view::npos) return std::nullopt;
    auto qnum = ParseQnum(part);
    if (!qnum) return std::nullopt;
    out.bytes[i] = *qnum;
    if (i < 3) text.remove_prefix(dot + 1);
  }
  return out;
}

std::optional<SpfAddress> ParseSpfIp6(std::string_view text) {
  // INET6_ADDRSTRLEN bounds any valid text; longer input is not an address.
  // A NUL would end inet_pton's reading early and let trailing junk through.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
      text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string copy(text);  // inet_pton needs a terminated string
  SpfAddress out;
  out.v6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) != 1) return std::nullopt;
  return out;
}

std::optional<SpfAddress> ParseSpfClientIp(std::string_view text) {
  if (auto v4 = ParseSpfIp4(text)) return v4;
  auto v6 = ParseSpfIp6(text);
  if (!v6) return std::nullopt;
  if (IsV4Mapped(*v6)) {  // RFC 7208 §5: treat as IPv4
    SpfAddress v4;
    for (size_t i = 0; i < 4; ++i) v4.bytes[i] = v6->bytes[12 + i];
    return v4;
  }
  return v6;
}

bool InSpfNetwork(const SpfAddress& ip, const SpfAddress& network, int prefix) {
  if (ip.v6 != network.v6) return false;
  size_t full = static_cast<size_t>(prefix / 8);
  for (size_t i = 0; i < full; ++i) {
    if (ip.bytes[i] != network.bytes[i]) return false;
  }
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == (network.bytes[full] & mask);
}

std::string SpfReverseName(const SpfAddress& ip) {
  std::string out;
  if (!ip.v6) {
    for (size_t i = 4; i-- > 0;) out += std::to_string(ip.bytes[i]) + ".";
    return out + "in-addr.arpa";
  }
  for (size_t i = 16; i-- > 0;) {
    out.push_back(kHex[ip.bytes[i] & 0x0f]);
    out.push_back('.');
    out.push_back(kHex[ip.bytes[i] >> 4]);
    out.push_back('.');
  }
  return out + "ip6.arpa";
}

std::string SpfMacroI(const SpfAddress& ip) {
  std::string out;
  if (!ip.v6) {
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) out.push_back('.');
      out += std::to_string(ip.bytes[i]);
    }
    return out;
  }
  for (size_t i = 0; i < 16; ++i) {
    if (i > 0) out.push_back('.');
    out.push_back(kHex[ip.bytes[i] >> 4]);
    out.push_back('.');
    out.push_back(kHex[ip.bytes[i] & 0x0f]);
  }
  return out;
}

std::string SpfMacroC(const SpfAddress& ip) {
  if (!ip.v6) return SpfMacroI(ip);
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, ip.bytes.data(), text, sizeof text) == nullptr) return SpfMacroI(ip);
  return text;
}

}  // namespace kenin::policy
