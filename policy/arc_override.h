// The trusted-forwarder exception to DMARC (RFC 9989 §5.8 leaves the final disposition to
// the receiver's local policy; RFC 7960 §4.1 describes the mailing-list and forwarder cases
// that break DMARC; RFC 8617 §7.2.1 is ARC's answer): when DMARC fails, the ARC chain passes
// and its newest sealer is one the operator trusts, the failure is not acted on.
// Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "arc/arc_result.h"
#include "policy/dmarc.h"

namespace kenin::policy {

// The sealer (the newest ARC-Seal d=, lower case) when the override applies: DMARC `fail`,
// ARC `pass` and that sealer in `trusted_sealers` (compared case-insensitively, exact
// domains: a trusted "example.org" does not trust "lists.example.org"). Else nullopt.
std::optional<std::string> ArcOverrideSealer(const DmarcVerdict& dmarc,
                                             const arc::ArcVerdict& arc,
                                             std::span<const std::string> trusted_sealers);

// Applies it: the disposition becomes none, so neither enforcement nor anything reading the
// disposition (metrics, the JSON) acts on the failure. The result stays `fail`: DMARC did
// fail, and the header says so with the override beside it (auth_results.h AddArcOverride).
void ApplyArcOverride(DmarcVerdict& dmarc);

}  // namespace kenin::policy
