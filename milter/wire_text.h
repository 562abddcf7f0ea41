// Text as the milter protocol carries it, turned into what the verifier needs and back.
// Header values: with SMFIP_HDR_LEADSPC the MTA sends everything after the colon (the exact
// bytes simple canonicalization hashes, RFC 6376 §3.4.1); folds arrive as "\n" + WSP
// (Postfix and Sendmail store lines with bare LF) and go back to the wire's CRLF. Pure.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

namespace kenin::milter {

// The header value as it was on the wire after "Name:". Without leading-space negotiation
// the MTA has dropped the space after the colon; one SP is put back (the form of nearly all
// fields; relaxed canonicalization ignores it either way). Every LF not after a CR becomes
// CRLF, so a folded field hashes as the sender signed it.
std::string WireHeaderValue(std::string_view value, bool leading_space);

// A header value kenind sends: folded with "\n\t" (the MTA writes its own line ends), with
// the leading space the MTA expects of us when SMFIP_HDR_LEADSPC was negotiated.
std::string OutgoingHeaderValue(std::string_view folded, bool leading_space);

// The address of a MAIL FROM argument: "<user@example.com>" -> "user@example.com",
// "<>" -> "" (the null sender), "<@relay:user@example.com>" -> "user@example.com"
// (RFC 5321 §4.1.2 source route, which §C says to ignore).
std::string EnvelopeAddress(std::string_view argument);

// The client's IP address as text, or "" when it is not an IPv4/IPv6 peer (unix socket,
// unknown family, null).
std::string ClientAddress(const sockaddr* address);

// Text safe to hand to smfi_setreply and smfi_quarantine: printable ASCII only, '%' (a
// format character for the MTA) and '\' dropped, at most `max` characters.
std::string ReplyText(std::string_view text, size_t max = 200);

}  // namespace kenin::milter
