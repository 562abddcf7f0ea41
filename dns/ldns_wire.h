// Turning reply bytes into an ldns packet. ldns_wire2pkt keeps only one TSIG record: a
// second one in the additional section overwrites the first without freeing it (libldns
// 1.8.3, found by dns_reply_fuzz), so a reply carrying two leaks ~70 bytes. Replies come from
// the network, forged ones included, so every parse goes through here: the record types of
// the additional section are read first and a reply with more than one TSIG is refused
// (RFC 8945 §5.1: TSIG is the last record, so there is at most one). kenin never signs its
// queries, so it has no use for a TSIG anyway. The records are walked with ldns's own record
// parser, so the walk and ldns_wire2pkt agree on where each record starts (a hand-written
// walker disagreed with ldns on malformed names; dns_reply_fuzz found that too). Each reply
// is thus read twice; replies are small and cached. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dns/ldns_records.h"  // ldns itself, included the one safe way (see there)

namespace kenin::dns {

// ldns_wire2pkt, but LDNS_STATUS_ERR for a reply with more than one TSIG record.
ldns_status WireToPacket(ldns_pkt** packet, const uint8_t* wire, size_t size);

// The number of TSIG records ldns_wire2pkt would keep from the additional section of `wire`
// (each one after the first is a leak), counted as far as ldns can read the records.
int CountAdditionalTsig(const uint8_t* wire, size_t size);

}  // namespace kenin::dns
