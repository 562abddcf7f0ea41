// The data an ARC-Seal signs (RFC 8617 §5.1.1): the ARC Sets from instance 1 up to the
// seal's own, in increasing instance order, each as its ARC-Authentication-Results,
// ARC-Message-Signature and ARC-Seal, all with relaxed header canonicalization (§4.1.3). The
// seal being verified comes last with its b= value removed and no trailing CRLF, as a DKIM
// signature field does (RFC 6376 §3.7). Shared by verifying and the tests' sealer.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "arc/arc_chain.h"
#include "verifier/canonicalize.h"

namespace kenin::arc {

// `sets` are the sets up to and including the seal's own (the last one); its seal field is
// replaced by `seal_value_without_b`. REQUIRES: `sets` not empty, indexes within `header`.
std::string SealHeaderData(std::span<const verifier::HeaderFieldView> header,
                           std::span<const ArcSetFields> sets,
                           std::string_view seal_value_without_b);

}  // namespace kenin::arc
