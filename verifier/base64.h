// Base64 (RFC 4648 §4) through OpenSSL, with the strictness DKIM needs: FWS is ignored
// (RFC 6376 §3.5 b=, bh=, §3.6.1 p=), anything else that is not the alphabet is an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kenin::verifier {

// nullopt on a character outside the alphabet, misplaced padding or a bad length.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

}  // namespace kenin::verifier
