// ARC verdicts: the Chain Validation Status of one message (RFC 8617 §4.4) as the "arc="
// result of an Authentication-Results header (RFC 8617 §10.1: none, pass, fail), with the
// reason for anything but pass and what the header may carry besides (§6: header.oldest-pass,
// smtp.remote-ip). Verdicts are data, not errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kenin::arc {

enum class ArcResult { kNone, kPass, kFail };
std::string_view ToToken(ArcResult result);  // "none", "pass", "fail"

// One ARC Set as far as it could be read: what a report or a trusted-sealer check needs.
struct ArcSetInfo {
  int instance = 0;
  std::string authserv_id;         // of its ARC-Authentication-Results
  std::string auth_results;        // that AAR's authres-payload as written: the sealer's record
  std::string seal_domain;         // ARC-Seal d=, lower case: the sealer
  std::string seal_selector;       // ARC-Seal s=
  std::string signature_domain;    // ARC-Message-Signature d=, lower case
  std::string signature_selector;  // ARC-Message-Signature s=
};

struct ArcVerdict {
  ArcResult result = ArcResult::kNone;
  std::string reason;  // empty only for pass; printable ASCII, bounded
  int instances = 0;   // N, the highest instance, once the chain's form was valid; else 0
  // pass only (RFC 8617 §5.2 step 5): the lowest instance whose AMS still verifies, going
  // down from N and stopping at the first that does not; 0 when every AMS verifies. Unset
  // when it was not determined (oldest-pass turned off, or the depth limit reached first).
  std::optional<int> oldest_pass;
  // smtp.remote-ip recorded in the newest ARC-Authentication-Results (what the last sealer
  // saw as its client), when that is a well-formed IPv4 or IPv6 address; else empty.
  std::string remote_ip;
  std::vector<ArcSetInfo> sets;  // instance 1 first; filled once the chain's form was valid

  // The newest set's ARC-Seal d=: the domain a list of trusted sealers is checked against.
  // Empty when `sets` is.
  std::string_view sealer() const;
};

}  // namespace kenin::arc
