// Reading one DNS reply into an Answer: the half of the network backend that touches no
// socket, so a reply off the wire can be tested and fuzzed as bytes. The CNAME chain is
// followed from the question name through the answer section; a chain that ends at a name
// the reply has no data for tells the caller which name to ask next.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "dns/ldns_records.h"
#include "dns/resolver.h"

namespace kenin::dns {

struct ReplyStep {
  Answer answer;
  std::optional<std::string> next_name;  // set when the chain must be asked again from here
};

// Collects the records of `type` at the end of the CNAME chain that starts at `name`
// (normalized), following at most `hops_left` links. `visited` holds the names of the chain
// seen so far, across replies, for loop detection. kBadReply for an rcode we do not
// distinguish, a CNAME loop or a chain longer than `hops_left`.
Result<ReplyStep> ReadReply(const ldns_pkt* reply, std::string name, RecordType type,
                            int hops_left, std::set<std::string>& visited);

// RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM); 0 without an SOA.
uint32_t NegativeTtl(const ldns_pkt* reply);

}  // namespace kenin::dns
