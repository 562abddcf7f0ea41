#include "dns/ldns_reply.h"

#include <algorithm>

namespace kenin::dns {

uint32_t NegativeTtl(const ldns_pkt* reply) {
  const ldns_rr_list* authority = ldns_pkt_authority(reply);
  for (size_t i = 0; i < ldns_rr_list_rr_count(authority); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(authority, i);
    if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7) continue;
    return std::min(ldns_rr_ttl(rr), ldns_rdf2native_int32(ldns_rr_rdf(rr, 6)));
  }
  return 0;
}

Result<ReplyStep> ReadReply(const ldns_pkt* reply, std::string name, RecordType type,
                            int hops_left, std::set<std::string>& visited) {
  ReplyStep step;
  Answer& answer = step.answer;
  answer.authenticated = ldns_pkt_ad(reply);
  switch (ldns_pkt_get_rcode(reply)) {
    case LDNS_RCODE_NOERROR: answer.rcode = Rcode::kNoError; break;
    case LDNS_RCODE_NXDOMAIN: answer.rcode = Rcode::kNxDomain; break;
    case LDNS_RCODE_SERVFAIL: answer.rcode = Rcode::kServFail; return step;
    case LDNS_RCODE_REFUSED: answer.rcode = Rcode::kRefused; return step;
    default: return tl::unexpected(Error{ErrorCode::kBadReply, "server answered with an unexpected rcode"});
  }
  const ldns_rr_list* records = ldns_pkt_answer(reply);
  const size_t count = ldns_rr_list_rr_count(records);
  std::optional<uint32_t> min_ttl;
  bool followed = false;
  for (int hop = 0; hop <= hops_left; ++hop) {
    for (size_t i = 0; i < count; ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(records, i);
      if (ldns_rr_get_type(rr) != static_cast<ldns_rr_type>(type) || NameOf(ldns_rr_owner(rr)) != name) continue;
      answer.records.push_back(ToRecord(rr));
      min_ttl = std::min(min_ttl.value_or(UINT32_MAX), ldns_rr_ttl(rr));
    }
    if (!answer.records.empty()) break;
    const ldns_rr* cname = nullptr;
    for (size_t i = 0; i < count && cname == nullptr; ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(records, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && NameOf(ldns_rr_owner(rr)) == name) cname = rr;
    }
    if (cname == nullptr) break;
    name = NameOf(ldns_rr_rdf(cname, 0));
    if (!visited.insert(name).second) return tl::unexpected(Error{ErrorCode::kBadReply, "CNAME loop at " + ShownName(name)});
    min_ttl = std::min(min_ttl.value_or(UINT32_MAX), ldns_rr_ttl(cname));
    followed = true;
    if (hop == hops_left) return tl::unexpected(Error{ErrorCode::kBadReply, "CNAME chain too long"});
  }
  if (!answer.records.empty()) {
    answer.ttl = *min_ttl;
  } else if (followed && answer.rcode == Rcode::kNoError && NegativeTtl(reply) == 0) {
    // The reply stopped at an alias without its data or a negative proof: ask for the target.
    visited.erase(name);
    step.next_name = name;
  } else {
    answer.ttl = NegativeTtl(reply);
  }
  return step;
}

}  // namespace kenin::dns
