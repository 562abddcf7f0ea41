// Our local policy on top of the RFC 6376 verdicts, applied before anything reads them (the
// Authentication-Results header, DMARC, the score, `kenin verify` JSON), so they all agree.
// Two choices of the operator (docs/security.md):
//   - l= (RFC 6376 §8.2): a signature that verified but left body content unsigned after its
//     l= octets says nothing about that content. By default it is reported
//     `dkim=policy reason="body extends past l=N"` (RFC 8601 §2.7.1 "policy": the signature
//     verified, some aspect of it was not acceptable), so DMARC, which counts only
//     dkim=pass (RFC 9989 §4.4.1), does not count it. kPass keeps pass (with a comment).
//   - DNSSEC: the key answer's AD bit is a claim of the resolver, worth something only over a
//     trusted path to a validating one (RFC 6840 §5.7, RFC 4035 §4.9.3). Unless trusted, it
//     is dropped, so no DNSSEC status is reported anywhere.
#pragma once

#include <vector>

#include "verifier/dkim_result.h"

namespace kenin::policy {

enum class UnsignedBody { kPolicy, kPass };

struct DkimLocalPolicy {
  UnsignedBody unsigned_body = UnsignedBody::kPolicy;  // [dkim] unsigned_body
  bool trust_ad = false;                               // [dns] trust_ad
};

// The reason a truncated signature gets under UnsignedBody::kPolicy, for l=N.
std::string UnsignedBodyReason(uint64_t signed_length);

void ApplyDkimLocalPolicy(std::vector<verifier::DkimVerdict>& verdicts,
                          const DkimLocalPolicy& policy);

}  // namespace kenin::policy
