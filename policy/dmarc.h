// DMARC (RFC 9989, which obsoletes RFC 7489): the policy record, policy discovery, the
// Organizational Domain, identifier alignment, the result and the disposition.
// Default mode: RFC 9989 — policy discovery and the Organizational Domain by the DNS tree
// walk (§4.10) with psd=. RFC 7489 mode: the Organizational Domain from the Public Suffix
// List (libpsl), §6.6.3 discovery (author domain, then Organizational Domain), pct applied.
// Pure: all DNS through dns::Resolver; randomness (pct) injected. Thread-safe as long as the
// resolver and the random source are.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"
#include "policy/spf.h"
#include "verifier/dkim_result.h"

namespace kenin::policy {

class PublicSuffixList;  // policy/public_suffix.h

enum class DmarcResult { kNone, kPass, kFail, kTempError, kPermError };
std::string_view ToToken(DmarcResult result);  // RFC 8601 §2.7.3 "dmarc=" tokens

enum class Disposition { kNone, kQuarantine, kReject };
std::string_view ToToken(Disposition disposition);

enum class Alignment { kRelaxed, kStrict };

struct DmarcRecord {
  std::optional<Disposition> p;   // required; nullopt when absent or invalid
  std::optional<Disposition> sp;  // subdomain policy
  std::optional<Disposition> np;  // non-existent subdomain policy (RFC 9989)
  Alignment adkim = Alignment::kRelaxed;
  Alignment aspf = Alignment::kRelaxed;
  char psd = 'u';        // 'y', 'n' or 'u' (RFC 9989 §4.7)
  bool testing = false;  // t=y (RFC 9989)
  int pct = 100;         // RFC 7489 only: parsed and reported in RFC 9989 mode, not applied
  std::string rua, ruf, fo, rf, ri;  // report tags, kept as written
};

// Parses a TXT record; nullopt-like error when it is not a DMARC record (no leading v=DMARC1)
// or breaks the tag-list syntax.
struct DmarcRecordError {
  std::string detail;
};
tl::expected<DmarcRecord, DmarcRecordError> ParseDmarcRecord(std::string_view text);

enum class DmarcMode { kRfc9989, kRfc7489 };

struct DmarcOptions {
  DmarcMode mode = DmarcMode::kRfc9989;
  const PublicSuffixList* public_suffixes = nullptr;  // required in kRfc7489 mode
  std::function<int()> percent_roll;  // 0..99 for pct sampling (kRfc7489); default: random
  int max_tree_walk_labels = 8;       // RFC 9989 §4.10: the walk queries at most 8 names
};

struct DkimResultForDmarc {
  std::string domain;  // d=
  verifier::DkimResult result = verifier::DkimResult::kNone;
};

struct DmarcInput {
  std::vector<std::string> from_header_values;  // every From field's raw value (exactly one expected)
  std::vector<DkimResultForDmarc> dkim;
  std::string spf_domain;  // the domain SPF checked (MAIL FROM domain, or HELO)
  SpfResult spf = SpfResult::kNone;
};

struct DmarcVerdict {
  DmarcResult result = DmarcResult::kNone;
  std::string reason;
  std::string from_domain;     // header.from
  std::string org_domain;      // the Organizational Domain of the From domain
  std::string policy_domain;   // where the applied record was found ("" when none)
  std::optional<Disposition> policy;  // the policy that applied (p, sp or np value)
  std::string policy_tag;      // "p", "sp" or "np"
  Disposition disposition = Disposition::kNone;  // what the receiver should do
  bool dkim_aligned = false;
  bool spf_aligned = false;
  std::optional<DmarcRecord> record;
};

// Extracts the From domain(s) of the From field values (RFC 5322 §3.6.2 mailbox-list).
std::vector<std::string> FromDomains(const std::vector<std::string>& from_header_values);

DmarcVerdict EvaluateDmarc(const DmarcInput& input, dns::Resolver& resolver, const DmarcOptions& options);

}  // namespace kenin::policy
