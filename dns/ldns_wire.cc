#include "dns/ldns_wire.h"

namespace kenin::dns {
namespace {

constexpr size_t kHeaderSize = 12;  // RFC 1035 §4.1.1

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// The type of the record at `pos` in `section`, read by ldns's own record parser (so the
// walk ends where ldns_wire2pkt's would); `pos` moves past it. False when ldns cannot read it.
bool NextRecordType(const uint8_t* wire, size_t size, size_t& pos, ldns_pkt_section section,
                    ldns_rr_type& type) {
  ldns_rr* rr = nullptr;
  if (ldns_wire2rr(&rr, wire, size, &pos, section) != LDNS_STATUS_OK) return false;
  type = ldns_rr_get_type(rr);
  ldns_rr_free(rr);
  return true;
}

}  // namespace

int CountAdditionalTsig(const uint8_t* wire, size_t size) {
  if (size < kHeaderSize) return 0;
  size_t pos = kHeaderSize;
  ldns_rr_type type = LDNS_RR_TYPE_A;
  const struct {
    size_t count;
    ldns_pkt_section section;
  } before[] = {{Read16(wire + 4), LDNS_SECTION_QUESTION},
                {Read16(wire + 6), LDNS_SECTION_ANSWER},
                {Read16(wire + 8), LDNS_SECTION_AUTHORITY}};
  for (const auto& [count, section] : before) {
    for (size_t i = 0; i < count; ++i) {
      // ldns_wire2pkt stops here too, before any TSIG could be kept.
      if (!NextRecordType(wire, size, pos, section, type)) return 0;
    }
  }
  // As ldns_wire2pkt reads the additional section: each TSIG it keeps also lowers the count
  // of records it goes on to read, and a record it cannot read ends the reading (and the
  // parse, with an error, but a TSIG overwritten before that has leaked all the same).
  int tsig = 0;
  size_t additional = Read16(wire + 10);
  for (size_t i = 0; i < additional; ++i) {
    if (!NextRecordType(wire, size, pos, LDNS_SECTION_ADDITIONAL, type)) break;
    if (type == LDNS_RR_TYPE_TSIG) {
      ++tsig;
      --additional;
    }
  }
  return tsig;
}

ldns_status WireToPacket(ldns_pkt** packet, const uint8_t* wire, size_t size) {
  *packet = nullptr;
  if (CountAdditionalTsig(wire, size) > 1) return LDNS_STATUS_ERR;
  return ldns_wire2pkt(packet, wire, size);
}

}  // namespace kenin::dns
