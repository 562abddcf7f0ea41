#include "verifier/idna.h"

#include <idn2.h>

#include <cstdint>
#include <memory>

namespace kenin::verifier {

bool HasNonAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

tl::expected<std::string, std::string> ToALabels(std::string_view domain) {
  if (!HasNonAscii(domain)) return std::string(domain);
  if (domain.find('\0') != std::string_view::npos) {
    return tl::unexpected(std::string("NUL in an internationalized domain name"));
  }
  const std::string input(domain);  // idn2 reads a NUL-terminated string
  uint8_t* output = nullptr;
  const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()), &output,
                                IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<uint8_t, decltype(&idn2_free)> owned(output, &idn2_free);
  if (rc != IDN2_OK) {
    return tl::unexpected(std::string("not a valid internationalized domain name (") +
                          idn2_strerror(rc) + ")");
  }
  std::string out(reinterpret_cast<const char*>(output));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace kenin::verifier
