#include "milter/wire_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace kenin::milter {

std::string WireHeaderValue(std::string_view value, bool leading_space) {
  std::string wire;
  wire.reserve(value.size() + 8);
  if (!leading_space) wire += ' ';
  char previous = '\0';
  for (char c : value) {
    if (c == '\n' && previous != '\r') wire += '\r';
    wire += c;
    previous = c;
  }
  return wire;
}

std::string OutgoingHeaderValue(std::string_view folded, bool leading_space) {
  std::string value = leading_space ? " " : "";
  value.append(folded);
  return value;
}

std::string EnvelopeAddress(std::string_view argument) {
  std::string_view address = argument;
  while (!address.empty() && (address.front() == ' ' || address.front() == '\t'))
    address.remove_prefix(1);
  while (!address.empty() && (address.back() == ' ' || address.back() == '\t'))
    address.remove_suffix(1);
  if (address.starts_with('<')) {
    size_t close = address.find('>');
    address =
        address.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  }
  if (address.starts_with('@')) {
    size_t colon = address.find(':');
    address = colon == std::string_view::npos ? std::string_view() : address.substr(colon + 1);
  }
  return std::string(address);
}

std::string ClientAddress(const sockaddr* address) {
  if (!address) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    if (inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text))) return text;
  } else if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text))) return text;
  }
  return "";
}

std::string ReplyText(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max) break;
    if (c >= ' ' && c < 0x7F && c != '%' && c != '\\') out += c;
  }
  return out;
}

}  // namespace kenin::milter
