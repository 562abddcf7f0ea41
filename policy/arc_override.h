// The trusted-forwarder exception to DMARC (RFC 9989 §5.8 leaves the final disposition to
// the receiver's local policy; RFC 7960 §4.1 describes the mailing-list and forwarder cases
// that break DMARC; RFC 8617 §7.2.1 is ARC's answer): when DMARC fails, the ARC chain passes,
// its newest sealer is one the operator trusts and that sealer recorded that the author's
// domain authenticated when the message reached it, the failure is not acted on.
// Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "arc/arc_result.h"
#include "policy/dmarc.h"

namespace kenin::policy {

// The sealer (the newest ARC-Seal d=, lower case) when the override applies: DMARC `fail`,
// ARC `pass`, that sealer in `trusted_sealers` (compared case-insensitively, exact domains:
// a trusted "example.org" does not trust "lists.example.org"), and its ARC-Authentication-
// Results vouching for the author (SealerVouchesForAuthor). Else nullopt.
std::optional<std::string> ArcOverrideSealer(const DmarcVerdict& dmarc,
                                             const arc::ArcVerdict& arc,
                                             std::span<const std::string> trusted_sealers);

// Whether an AAR's authres-payload (as written: "authserv-id; method=result ...") records
// that the From domain authenticated at the sealer (RFC 8617 §7.2.1: the AAR is the sealer's
// statement of what it saw). Trusting a forwarder means trusting that statement, not
// excusing every message it relays: a forwarder that received the message already failing
// DMARC passes it on failing. Any one of:
//   - dmarc=pass, its header.from (when given) the From domain;
//   - dkim=pass, header.d (or the domain of header.i) aligned with the From domain;
//   - spf=pass, the domain of smtp.mailfrom aligned with the From domain.
// Aligned: the same name, or under relaxed alignment (the record's adkim / aspf, relaxed when
// there is no record) within the From domain's Organizational Domain as this evaluation
// found it (`dmarc.org_domain`; without one only the same name counts). A payload that does
// not parse (RFC 8601 §2.2) vouches for nothing.
bool SealerVouchesForAuthor(std::string_view aar_payload, const DmarcVerdict& dmarc);

// Applies it: the disposition becomes none, so neither enforcement nor anything reading the
// disposition (metrics, the JSON) acts on the failure. The result stays `fail`: DMARC did
// fail, and the header says so with the override beside it (auth_results.h AddArcOverride).
void ApplyArcOverride(DmarcVerdict& dmarc);

}  // namespace kenin::policy
