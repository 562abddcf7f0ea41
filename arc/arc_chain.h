// Sorting ARC header fields into ARC Sets and checking the form of the chain (RFC 8617 §5.2
// steps 1 and 3): pure functions over which kind of field sits where and which instance it
// claims. Signatures are checked elsewhere (arc_verifier.h).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "arc/arc_fields.h"

namespace kenin::arc {

struct ArcFieldRef {
  ArcFieldKind kind = ArcFieldKind::kSeal;
  int instance = 0;  // 1..kMaxInstance (ParseInstance)
  size_t field = 0;  // position in the message header
};

// Where the three fields of one ARC Set are in the message header.
struct ArcSetFields {
  size_t auth_results = 0;
  size_t message_signature = 0;
  size_t seal = 0;
};

// The sets in instance order (element 0 is i=1), or why the chain's form is invalid: an
// instance whose set lacks a field or has one twice (§5.2 step 3.1, §4.2.1 "exactly one
// instance of each ARC header field"), or instances that do not run 1..N without gaps (step
// 3.2). REQUIRES: `fields` not empty.
tl::expected<std::vector<ArcSetFields>, std::string> GroupIntoSets(
    std::span<const ArcFieldRef> fields);

// §5.2 step 3.3: every cv= is none at instance 1 and pass above it (so never fail).
// `statuses[k]` is instance k+1's. nullopt when they are; else the reason.
std::optional<std::string> CheckChainStatuses(std::span<const ChainStatus> statuses);

}  // namespace kenin::arc
