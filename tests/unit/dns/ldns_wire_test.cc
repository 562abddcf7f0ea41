// dns/ldns_wire.h: reply bytes walked before ldns parses them; two TSIG records are refused
// (ldns_wire2pkt would leak the first). Under ASan (CI) a leak here fails the test binary.
#include "dns/ldns_wire.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kenin::dns {
namespace {

using Bytes = std::vector<uint8_t>;

// A reply to "a. TXT": header with the given counts, the question, then `records` as given.
Bytes Reply(uint16_t answers, uint16_t additional, const Bytes& records) {
  Bytes wire = {0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, static_cast<uint8_t>(answers),
                0x00, 0x00, 0x00, static_cast<uint8_t>(additional)};
  const Bytes question = {0x01, 'a', 0x00, 0x00, 0x10, 0x00, 0x01};
  wire.insert(wire.end(), question.begin(), question.end());
  wire.insert(wire.end(), records.begin(), records.end());
  return wire;
}

// One record: `name` (wire form), type, class IN, TTL 60, the rdata.
Bytes Record(const Bytes& name, uint16_t type, const Bytes& rdata) {
  Bytes out = name;
  const Bytes fixed = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0x00, 0x01,
                       0x00, 0x00, 0x00, 0x3c, 0x00, static_cast<uint8_t>(rdata.size())};
  out.insert(out.end(), fixed.begin(), fixed.end());
  out.insert(out.end(), rdata.begin(), rdata.end());
  return out;
}

const Bytes kPointerToQuestion = {0xc0, 0x0c};
const Bytes kTxtRdata = {0x02, 'h', 'i'};

Bytes Join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(LdnsWire, AnOrdinaryReplyParses) {
  const Bytes wire = Reply(1, 0, Record(kPointerToQuestion, 16, kTxtRdata));
  EXPECT_EQ(CountAdditionalTsig(wire.data(), wire.size()), 0);
  ldns_pkt* packet = nullptr;
  ASSERT_EQ(WireToPacket(&packet, wire.data(), wire.size()), LDNS_STATUS_OK);
  EXPECT_EQ(ldns_pkt_ancount(packet), 1);
  ldns_pkt_free(packet);
}

TEST(LdnsWire, TsigRecordsInTheAdditionalSectionAreCounted) {
  const Bytes root = {0x00};
  const Bytes one = Reply(1, 1, Join({Record(kPointerToQuestion, 16, kTxtRdata),
                                     Record(root, 250, {})}));
  EXPECT_EQ(CountAdditionalTsig(one.data(), one.size()), 1);
  // ldns lowers the count of records it reads for each TSIG it keeps: with ARCOUNT 2 it
  // reads one TSIG and stops (no leak); with ARCOUNT 3 it reads both (the leak).
  const Bytes pair = Join({Record(root, 250, {}), Record(root, 250, {})});
  const Bytes counted_two = Reply(0, 2, pair);
  EXPECT_EQ(CountAdditionalTsig(counted_two.data(), counted_two.size()), 1);
  ldns_pkt* packet = nullptr;
  ASSERT_EQ(WireToPacket(&packet, counted_two.data(), counted_two.size()), LDNS_STATUS_OK);
  ldns_pkt_free(packet);
  const Bytes two = Reply(0, 3, Join({pair, Record(root, 16, kTxtRdata)}));
  EXPECT_EQ(CountAdditionalTsig(two.data(), two.size()), 2);
  EXPECT_EQ(WireToPacket(&packet, two.data(), two.size()), LDNS_STATUS_ERR);
  EXPECT_EQ(packet, nullptr);
  // A TSIG in the answer section is not the additional section's.
  const Bytes answer = Reply(1, 0, Record(root, 250, {}));
  EXPECT_EQ(CountAdditionalTsig(answer.data(), answer.size()), 0);
}

TEST(LdnsWire, ACountThatPromisesTooMuchIsCountedAsFarAsItGoes) {
  // Two TSIG records, then a third promised that is not there: still two, still refused.
  const Bytes root = {0x00};
  const Bytes wire = Reply(0, 3, Join({Record(root, 250, {}), Record(root, 250, {})}));
  EXPECT_EQ(CountAdditionalTsig(wire.data(), wire.size()), 2);
  ldns_pkt* packet = nullptr;
  EXPECT_EQ(WireToPacket(&packet, wire.data(), wire.size()), LDNS_STATUS_ERR);
  // Cut short anywhere, a plain reply has none, and what ldns makes of it is ldns's answer.
  const Bytes full = Reply(1, 0, Record(kPointerToQuestion, 16, kTxtRdata));
  for (size_t size = 0; size < full.size(); ++size) {
    EXPECT_EQ(CountAdditionalTsig(full.data(), size), 0) << size;
    ldns_pkt* cut = nullptr;
    if (WireToPacket(&cut, full.data(), size) == LDNS_STATUS_OK) ldns_pkt_free(cut);
  }
  // A label type that does not exist (0x40) and a pointer cut in half end the walk.
  const Bytes bad_label = Reply(0, 2, Join({Record({0x41, 0x00}, 250, {}), Record(root, 250, {})}));
  EXPECT_EQ(CountAdditionalTsig(bad_label.data(), bad_label.size()), 0);
  const Bytes half_pointer = Reply(1, 0, Bytes{0xc0});
  EXPECT_EQ(CountAdditionalTsig(half_pointer.data(), half_pointer.size()), 0);
}

// The input dns_reply_fuzz found: two TSIG records in the additional section.
TEST(LdnsWire, TheFuzzFindingIsRefused) {
  std::ifstream file(KENIN_SOURCE_DIR "/fuzz/seeds/dns_reply_fuzz/regression-c213ab4b-two-tsig",
                     std::ios::binary);
  const Bytes wire{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  ASSERT_FALSE(wire.empty());
  EXPECT_GE(CountAdditionalTsig(wire.data(), wire.size()), 2);
  ldns_pkt* packet = nullptr;
  EXPECT_NE(WireToPacket(&packet, wire.data(), wire.size()), LDNS_STATUS_OK);
  EXPECT_EQ(packet, nullptr);
}

}  // namespace
}  // namespace kenin::dns
