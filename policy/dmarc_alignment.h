// Identifier Alignment (RFC 9989 §3.2.10, §4.4; RFC 7489 §3.1): whether a DKIM signing
// domain with a pass, or the SPF (MAIL FROM) domain with a pass, aligns with the Author
// Domain. Strict: the same name, case-insensitively. Relaxed: the same Organizational
// Domain. Not thread-safe (it shares the evaluation's OrgDomains).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/dmarc.h"
#include "policy/dmarc_discovery.h"

namespace kenin::policy {

enum class AlignmentCheck { kAligned, kNotAligned, kUnknown };

// `author` normalized; `identifier` as received (compared case-insensitively, trailing dot
// ignored). kUnknown when an Organizational Domain could not be determined (DNS failure).
AlignmentCheck CheckAlignment(const std::string& author, std::string_view identifier,
                              Alignment mode, OrgDomains& orgs);

struct AlignmentOutcome {
  bool dkim_aligned = false;  // some DKIM pass aligns under adkim
  bool spf_aligned = false;   // the SPF pass aligns under aspf
  // Passing identifiers whose alignment DNS failures left undecided, with why.
  std::vector<std::string> undecided;
  // Identifiers that align (or whose alignment is undecided) but whose DKIM or SPF check
  // ended in temperror: had the check completed they might have passed, aligned.
  std::vector<std::string> temporarily_failed;
  bool aligned() const { return dkim_aligned || spf_aligned; }
};

// Only a DKIM "pass" and an SPF "pass" are authenticated identifiers (RFC 9989 §4.4.1,
// §4.4.2); fail, softfail, neutral, policy and errors never count. When nothing aligns, the
// temperror results whose identifiers align are listed (`temporarily_failed`).
AlignmentOutcome EvaluateAlignment(const DmarcInput& input, const std::string& author,
                                   const DmarcRecord& record, OrgDomains& orgs);

}  // namespace kenin::policy
