// The data a DKIM signature covers besides the body (RFC 6376 §3.7, §5.4.2): the fields
// named in h=, each instance taken from the bottom up, then the signature field itself with
// b= emptied and no trailing CRLF. Shared by verifying and signing.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/canonicalize.h"

namespace kenin::verifier {

// Builds the canonical header data. `signature_name` and `signature_value` are the
// DKIM-Signature field as it is (or will be) in the message, b= value already removed.
// A name in `signed_names` with no instance left contributes nothing (oversigning).
std::string CanonicalHeaderData(std::span<const HeaderFieldView> headers,
                                const std::vector<std::string>& signed_names,
                                Canonicalization canon, std::string_view signature_name,
                                std::string_view signature_value);
std::string CanonicalHeaderData(const std::vector<HeaderField>& headers,
                                const std::vector<std::string>& signed_names,
                                Canonicalization canon, std::string_view signature_name,
                                std::string_view signature_value);

}  // namespace kenin::verifier
