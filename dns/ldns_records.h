// Conversions from ldns records to kenin's Record, shared by the zone-file and network
// backends so both present TXT, A, AAAA, MX and PTR data the same way.
#pragma once

// ldns/common.h defines `bool` as a macro in C++ unless <stdbool.h>'s guard is set, and with
// that macro clang cannot parse libstdc++'s <ext/numeric_traits.h>. Include ldns only here.
#include <stdbool.h>  // before ldns: sets __bool_true_false_are_defined
#include <ldns/ldns.h>

#include <string>
#include <string_view>

#include "dns/resolver.h"

namespace kenin::dns {

// TXT: each <character-string> kept apart (RFC 1035 §3.3.14); other types: the rdata in
// presentation form, fields separated by one space ("10 mx.example.com." for MX).
Record ToRecord(const ldns_rr* rr);
// Presentation form of a domain-name rdf or owner, normalized (NormalizeName).
std::string NameOf(const ldns_rdf* rdf);
// A name as an error detail quotes it: at most kMaxShownName characters, then "...". Names
// from a reply are printable (ldns writes other octets as \DDD) but take up to ~1000
// characters so, and a detail becomes a reason in the Authentication-Results header.
std::string ShownName(std::string_view name);
inline constexpr size_t kMaxShownName = 255;

}  // namespace kenin::dns
