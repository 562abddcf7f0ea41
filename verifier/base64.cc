#include "verifier/base64.h"

#include <openssl/evp.h>

#include "verifier/tag_list.h"

namespace kenin::verifier {
namespace {

bool IsAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string compact = StripFws(text);
  size_t padding = 0;
  while (padding < compact.size() && compact[compact.size() - 1 - padding] == '=') ++padding;
  if (padding > 2) return std::nullopt;
  for (size_t i = 0; i + padding < compact.size(); ++i) {
    if (!IsAlphabet(compact[i])) return std::nullopt;
  }
  // Unpadded input is accepted (some signers drop the '='); OpenSSL wants whole quanta.
  if (padding == 0) {
    if (compact.size() % 4 == 1) return std::nullopt;
    while (compact.size() % 4 != 0) {
      compact += '=';
      ++padding;
    }
  } else if (compact.size() % 4 != 0) {
    return std::nullopt;
  }
  if (compact.empty()) return std::string();
  std::string out(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(compact.data()),
                          static_cast<int>(compact.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace kenin::verifier
