// DMARC's DNS questions during one evaluation: the TXT records at _dmarc.<domain>, sorted
// into "none", "one DMARC record", "several" or "lookup failed" (RFC 9989 §4.10 steps 1-2),
// and whether a domain exists (§3.2.13). Each name is asked at most once per evaluation, so
// the tree walks for the Author Domain and for each authenticated identifier share answers.
// An answer is classified once, not once per message: the result is kept with the answer
// (dns::AnswerMemo), so every message within the TTL reads the record parsed by the first.
// Not thread-safe: one object per evaluation. The resolver must outlive it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "policy/dmarc_record.h"

namespace kenin::policy {

struct DmarcAtName {
  enum class Kind { kNone, kOne, kMultiple, kDnsError };
  Kind kind = Kind::kNone;
  std::optional<DmarcRecord> record;  // kOne, when the record parsed
  // kDnsError: what failed ("SERVFAIL", "timeout: ..."); kOne without a record: why the one
  // DMARC record cannot be used ("duplicate tag 'p'").
  std::string detail;
  bool name_exists = false;  // the answer was NOERROR: _dmarc.<domain> (so <domain>) exists
};

// Sorts one answer (RFC 9989 §4.10 step 2): TXT records not starting with v=DMARC1 are
// discarded; character-strings of each record are joined first (§4.5). A transport error,
// SERVFAIL or REFUSED is kDnsError; NXDOMAIN and NODATA are kNone.
DmarcAtName ClassifyDmarcAnswer(const dns::Result<dns::Answer>& answer);

enum class Existence { kExists, kNonExistent, kUnknown };

class DmarcLookups {
 public:
  explicit DmarcLookups(dns::Resolver& resolver) : resolver_(resolver) {}

  // The classified answer for _dmarc.<domain>; `domain` is normalized (lower case, no dot).
  const DmarcAtName& At(const std::string& domain);

  // RFC 9989 §3.2.13 (RFC 8020): a domain does not exist when a query for it is NXDOMAIN.
  // Answered from an earlier NOERROR for _dmarc.<domain> when there is one, else by an A query.
  Existence Exists(const std::string& domain);

  // Every name asked, in order (for reasons and tests).
  const std::vector<std::string>& asked() const { return asked_; }

 private:
  dns::AnswerFuture Ask(const std::string& name, dns::RecordType type);

  dns::Resolver& resolver_;
  std::map<std::string, std::shared_ptr<const DmarcAtName>> at_;
  std::vector<std::string> asked_;
};

}  // namespace kenin::policy
