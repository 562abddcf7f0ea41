#include "dns/ldns_wire.h"

namespace kenin::dns {
namespace {

constexpr size_t kHeaderSize = 12;     // RFC 1035 §4.1.1
constexpr uint16_t kTypeTsig = 250;    // RFC 8945 §4.2

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Moves `pos` past one (possibly compressed) name, RFC 1035 §4.1.4. False when the name runs
// past the end or uses a label type other than a length or a pointer.
bool SkipName(const uint8_t* wire, size_t size, size_t& pos) {
  while (pos < size) {
    const uint8_t length = wire[pos];
    if (length == 0) {
      ++pos;
      return true;
    }
    if ((length & 0xC0) == 0xC0) {  // a pointer ends the name
      if (pos + 2 > size) return false;
      pos += 2;
      return true;
    }
    if ((length & 0xC0) != 0) return false;  // 0x40, 0x80: no such labels (RFC 6891 §5)
    pos += 1 + static_cast<size_t>(length);
  }
  return false;
}

}  // namespace

int CountAdditionalTsig(const uint8_t* wire, size_t size) {
  if (size < kHeaderSize) return 0;
  const size_t questions = Read16(wire + 4);
  const size_t records = static_cast<size_t>(Read16(wire + 6)) + Read16(wire + 8);
  const size_t additional = Read16(wire + 10);
  size_t pos = kHeaderSize;
  for (size_t i = 0; i < questions; ++i) {
    if (!SkipName(wire, size, pos) || pos + 4 > size) return 0;
    pos += 4;  // QTYPE, QCLASS
  }
  int tsig = 0;
  for (size_t i = 0; i < records + additional; ++i) {
    // TYPE, CLASS, TTL, RDLENGTH, then RDATA (RFC 1035 §4.1.3)
    if (!SkipName(wire, size, pos) || pos + 10 > size) break;
    const size_t end = pos + 10 + static_cast<size_t>(Read16(wire + pos + 8));
    if (end > size) break;
    if (i >= records && Read16(wire + pos) == kTypeTsig) ++tsig;
    pos = end;
  }
  return tsig;
}

ldns_status WireToPacket(ldns_pkt** packet, const uint8_t* wire, size_t size) {
  *packet = nullptr;
  if (CountAdditionalTsig(wire, size) > 1) return LDNS_STATUS_ERR;
  return ldns_wire2pkt(packet, wire, size);
}

}  // namespace kenin::dns
