// Conversions from ldns records to kenin's Record, shared by the zone-file and network
// backends so both present TXT, A, AAAA, MX and PTR data the same way.
#pragma once

#include <ldns/ldns.h>

#include <string>

#include "dns/resolver.h"

namespace kenin::dns {

// TXT: each <character-string> kept apart (RFC 1035 §3.3.14); other types: the rdata in
// presentation form, fields separated by one space ("10 mx.example.com." for MX).
Record ToRecord(const ldns_rr* rr);
// Presentation form of a domain-name rdf or owner, normalized (NormalizeName).
std::string NameOf(const ldns_rdf* rdf);

}  // namespace kenin::dns
