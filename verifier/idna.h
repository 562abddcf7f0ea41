// Internationalized domain names in mail authentication (RFC 8616). Mail with SMTPUTF8 (RFC
// 6531, 6532) may write a domain in U-labels (UTF-8) in MAIL FROM, HELO, From or a DKIM i=;
// DNS knows only A-labels ("xn--..."), and every lookup and every comparison of domains uses
// them (RFC 8616 §3-§6). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace kenin::verifier {

// `domain` unchanged when it is all ASCII (A-labels and plain names need nothing, and their
// syntax is the caller's to check); otherwise its A-label form per IDNA2008 (input NFC-
// normalized, non-transitional processing: "ß" stays itself, as in browsers and libidn2's
// default), lower case. Error text when a non-ASCII domain is not a valid IDN (bad UTF-8,
// disallowed code points, a NUL, a label too long).
tl::expected<std::string, std::string> ToALabels(std::string_view domain);

// Whether `text` holds an octet outside US-ASCII.
bool HasNonAscii(std::string_view text);

}  // namespace kenin::verifier
