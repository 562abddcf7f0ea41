#include "policy/dkim_local_policy.h"

#include <string>

namespace kenin::policy {

std::string UnsignedBodyReason(uint64_t signed_length) {
  return "body extends past l=" + std::to_string(signed_length);
}

void ApplyDkimLocalPolicy(std::vector<verifier::DkimVerdict>& verdicts,
                          const DkimLocalPolicy& policy) {
  for (verifier::DkimVerdict& verdict : verdicts) {
    if (!policy.trust_ad) verdict.key_dnssec.reset();
    // body_truncated is set only when canonicalized content follows the l= octets; an l=
    // that covers the whole body stays pass. Only a pass is judged: a failing signature
    // already says nothing.
    if (policy.unsigned_body == UnsignedBody::kPolicy && verdict.body_truncated &&
        verdict.result == verifier::DkimResult::kPass) {
      verdict.result = verifier::DkimResult::kPolicy;
      verdict.reason = UnsignedBodyReason(verdict.body_length.value_or(0));
    }
  }
}

}  // namespace kenin::policy
