// The network resolver's reply handling: WireToPacket (ldns_wire2pkt behind the TSIG guard, dns/ldns_wire.h) on any bytes, then ReadReply
// (dns/ldns_reply.h), exactly as LdnsResolver reads a reply whose id and question matched.
// The question asked is the reply's own (a reply with another one is dropped before it is
// read), for CNAME budgets of 8 (the first query) and 1 (late in a chain).
// Properties: records only with NOERROR/NXDOMAIN, of a TTL no larger than the answer's
// minimum; TXT strings at most 255 octets; a next name to ask only after following a CNAME,
// with no records, a name not yet visited; error details printable and bounded.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "dns/ldns_reply.h"
#include "dns/ldns_wire.h"
#include "fuzz/fuzz_check.h"

using kenin::fuzz::Check;
namespace d = kenin::dns;

namespace {

struct PktDeleter {
  void operator()(ldns_pkt* pkt) const { ldns_pkt_free(pkt); }
};

bool AskedType(ldns_rr_type type, d::RecordType* out) {
  for (d::RecordType t : {d::RecordType::kA, d::RecordType::kPtr, d::RecordType::kMx,
                          d::RecordType::kTxt, d::RecordType::kAaaa}) {
    if (static_cast<ldns_rr_type>(t) == type) {
      *out = t;
      return true;
    }
  }
  return false;
}

void CheckStep(const d::ReplyStep& step, d::RecordType type, const std::string& name,
               const std::set<std::string>& visited) {
  const d::Answer& answer = step.answer;
  for (const d::Record& record : answer.records) {
    Check(answer.rcode == d::Rcode::kNoError || answer.rcode == d::Rcode::kNxDomain,
          "records only with NOERROR or NXDOMAIN");
    Check(answer.ttl <= record.ttl, "answer TTL at most every record's");
    if (type == d::RecordType::kTxt) {
      for (const std::string& s : record.strings) Check(s.size() <= 255, "TXT string <= 255");
    }
  }
  if (step.next_name) {
    Check(answer.records.empty() && answer.rcode == d::Rcode::kNoError,
          "a next name only for a NOERROR reply without data");
    Check(*step.next_name != name && !visited.contains(*step.next_name), "the next name is new",
          *step.next_name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ldns_pkt* raw = nullptr;
  if (d::WireToPacket(&raw, data, size) != LDNS_STATUS_OK) return 0;  // as the resolver reads
  std::unique_ptr<ldns_pkt, PktDeleter> reply(raw);
  if (ldns_pkt_qdcount(reply.get()) != 1) return 0;
  const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(reply.get()), 0);
  d::RecordType type;
  if (question == nullptr || !AskedType(ldns_rr_get_type(question), &type)) return 0;
  const std::string name = d::NameOf(ldns_rr_owner(question));
  for (int hops_left : {8, 1}) {
    std::set<std::string> visited = {name};
    auto step = d::ReadReply(reply.get(), name, type, hops_left, visited);
    if (!step) {
      kenin::fuzz::CheckReason(step.error().detail, "ReadReply");
      continue;
    }
    CheckStep(*step, type, name, visited);
    Check(visited.size() <= static_cast<size_t>(hops_left) + 2, "CNAME budget kept");
  }
  return 0;
}
