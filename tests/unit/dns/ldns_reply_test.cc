// Reading one reply into an Answer (dns/ldns_reply.h), on packets built here with ldns: the
// half of the network backend that needs no server. Its behaviour against a real server is
// tested in tests/integration/.
#include "dns/ldns_reply.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kenin::dns {
namespace {

struct PktDeleter {
  void operator()(ldns_pkt* pkt) const { ldns_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

// A NOERROR reply whose answer section holds `records` (zone-file lines).
PktPtr Reply(const std::vector<std::string>& records, ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR) {
  PktPtr pkt(ldns_pkt_new());
  ldns_pkt_set_qr(pkt.get(), true);
  ldns_pkt_set_rcode(pkt.get(), static_cast<uint8_t>(rcode));
  for (const std::string& line : records) {
    ldns_rr* rr = nullptr;
    EXPECT_EQ(ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr), LDNS_STATUS_OK) << line;
    ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_ANSWER, rr);
  }
  return pkt;
}

TEST(ReadReply, CollectsTheRecordsWithTheSmallestTtl) {
  PktPtr pkt = Reply({"k.example. 300 IN TXT \"v=DKIM1; \" \"p=\"", "k.example. 60 IN TXT \"x\"",
                      "other.example. 1 IN TXT \"not ours\""});
  std::set<std::string> visited = {"k.example"};
  auto step = ReadReply(pkt.get(), "k.example", RecordType::kTxt, 8, visited);
  ASSERT_TRUE(step) << step.error().detail;
  ASSERT_EQ(step->answer.records.size(), 2u);
  EXPECT_EQ(step->answer.records[0].strings, (std::vector<std::string>{"v=DKIM1; ", "p="}));
  EXPECT_EQ(step->answer.ttl, 60u);
  EXPECT_FALSE(step->next_name);
}

TEST(ReadReply, FollowsCnamesAndAsksAgainWhereTheChainStops) {
  PktPtr full = Reply({"a.example. 30 IN CNAME b.example.", "b.example. 300 IN TXT \"data\""});
  std::set<std::string> visited = {"a.example"};
  auto step = ReadReply(full.get(), "a.example", RecordType::kTxt, 8, visited);
  ASSERT_TRUE(step);
  ASSERT_EQ(step->answer.records.size(), 1u);
  EXPECT_EQ(step->answer.ttl, 30u);  // the alias's TTL bounds the answer's

  PktPtr cut = Reply({"a.example. 30 IN CNAME b.example."});
  visited = {"a.example"};
  step = ReadReply(cut.get(), "a.example", RecordType::kTxt, 8, visited);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->next_name, "b.example");
}

TEST(ReadReply, LoopsAndLongChainsAreBadReplies) {
  PktPtr loop = Reply({"a.example. 30 IN CNAME b.example.", "b.example. 30 IN CNAME a.example."});
  std::set<std::string> visited = {"a.example"};
  auto step = ReadReply(loop.get(), "a.example", RecordType::kTxt, 8, visited);
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().detail, "CNAME loop at a.example");
  visited = {"a.example"};
  step = ReadReply(loop.get(), "a.example", RecordType::kTxt, 0, visited);
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().detail, "CNAME chain too long");
}

// Found by fuzz/dns_reply_fuzz: a name of 255 octets whose octets ldns writes as \DDD takes
// about 1000 characters, and the CNAME loop detail quoted it whole into the reason of our
// Authentication-Results header. Names in details are cut at kMaxShownName.
TEST(ReadReply, LoopDetailQuotesAtMostKMaxShownNameOfAName) {
  // Four labels of 60 octets 0x01, each written \001: about 970 characters.
  std::vector<uint8_t> wire;
  for (int label = 0; label < 4; ++label) {
    wire.push_back(60);
    wire.insert(wire.end(), 60, 0x01);
  }
  wire.push_back(0);
  ldns_rdf* long_name = ldns_dname_new_frm_data(static_cast<uint16_t>(wire.size()), wire.data());
  ldns_rdf* short_name = ldns_dname_new_frm_str("a.example.");
  PktPtr loop = Reply({});
  for (auto [owner, target] :
       {std::pair{long_name, short_name}, std::pair{short_name, long_name}}) {
    ldns_rr* rr = ldns_rr_new();
    ldns_rr_set_type(rr, LDNS_RR_TYPE_CNAME);
    ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
    ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
    ldns_rr_set_ttl(rr, 30);
    ldns_rr_push_rdf(rr, ldns_rdf_clone(target));
    ldns_pkt_push_rr(loop.get(), LDNS_SECTION_ANSWER, rr);
  }
  const std::string name = NameOf(long_name);
  ldns_rdf_deep_free(long_name);
  ldns_rdf_deep_free(short_name);
  ASSERT_GT(name.size(), 900u);
  std::set<std::string> visited = {name};
  auto step = ReadReply(loop.get(), name, RecordType::kTxt, 8, visited);
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().detail, "CNAME loop at " + name.substr(0, kMaxShownName) + "...");
}

TEST(ReadReply, NegativeAnswersTakeTheSoaTtl) {
  PktPtr pkt = Reply({}, LDNS_RCODE_NXDOMAIN);
  ldns_rr* soa = nullptr;
  ASSERT_EQ(ldns_rr_new_frm_str(&soa, "example. 3600 IN SOA ns.example. h.example. 1 2 3 4 300", 0,
                                nullptr, nullptr),
            LDNS_STATUS_OK);
  ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_AUTHORITY, soa);
  std::set<std::string> visited = {"x.example"};
  auto step = ReadReply(pkt.get(), "x.example", RecordType::kTxt, 8, visited);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->answer.rcode, Rcode::kNxDomain);
  EXPECT_EQ(step->answer.ttl, 300u);
  EXPECT_EQ(NegativeTtl(pkt.get()), 300u);
}

}  // namespace
}  // namespace kenin::dns
