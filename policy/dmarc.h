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
#include "policy/dmarc_record.h"
#include "policy/spf.h"
#include "verifier/dkim_result.h"

namespace kenin::policy {

class PublicSuffixList;  // policy/public_suffix.h

enum class DmarcResult { kNone, kPass, kFail, kTempError, kPermError };
std::string_view ToToken(DmarcResult result);  // RFC 8601 §2.7.3 "dmarc=" tokens

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
  std::vector<std::string>
      from_header_values;  // every From field's raw value (exactly one expected)
  std::vector<DkimResultForDmarc> dkim;
  // The domain SPF checked: the MAIL FROM domain, or the HELO name when MAIL FROM is null
  // (RFC 7208 §2.4: that is then the MAIL FROM identity, which DMARC uses).
  std::string spf_domain;
  SpfResult spf = SpfResult::kNone;
};

struct DmarcVerdict {
  DmarcResult result = DmarcResult::kNone;
  std::string reason;
  std::string from_domain;  // header.from
  std::string org_domain;   // the Organizational Domain of the From domain ("" if unknown)
  // Where the selected record was found ("" when none was selected); set also when that
  // record turned out unusable (then policy is nullopt).
  std::string policy_domain;
  std::optional<Disposition> policy;             // the policy that applied (p, sp or np value)
  std::string policy_tag;                        // "p", "sp" or "np"
  Disposition disposition = Disposition::kNone;  // what the receiver should do
  bool dkim_aligned = false;
  bool spf_aligned = false;
  std::optional<DmarcRecord> record;  // the selected record as published, when it parsed
};

// Extracts the From domain(s) of the From field values (RFC 5322 §3.6.2 mailbox-list):
// every distinct domain, in order; unparseable values contribute none (policy/from_domain.h).
std::vector<std::string> FromDomains(const std::vector<std::string>& from_header_values);

// The names (without "_dmarc.") an evaluation may query for TXT, known before any answer:
// in RFC 9989 mode the tree walk targets (§4.10) from the Author Domain and from each
// identifier that may pass (DKIM d=, the SPF domain); in RFC 7489 mode the Author Domain
// and its Organizational Domain. A walk asks its names one after another; asking them all
// at end-of-headers turns that into one round trip. The existence query for np= is left
// out: whether it is needed depends on the answers. `author` and `identifiers` in any case.
std::vector<std::string> DmarcPrefetchDomains(const std::string& author,
                                              const std::vector<std::string>& identifiers,
                                              const DmarcOptions& options);

// Runs DMARC for one message (docs/dmarc.md). Lookups are made one after another; the tree
// walk bounds them (RFC 9989 §4.10): at most max_tree_walk_labels names per walk, one walk
// for the Author Domain and one per distinct passing identifier under relaxed alignment,
// plus one existence query when np= may apply. Each name is asked once per call.
DmarcVerdict EvaluateDmarc(const DmarcInput& input, dns::Resolver& resolver,
                           const DmarcOptions& options);

}  // namespace kenin::policy
