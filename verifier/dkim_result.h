// DKIM verdicts: what the RFCs say about one DKIM-Signature field. Not errors.
// Tokens are those of RFC 8601 §2.7.1 ("dkim=" results).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "verifier/error.h"

namespace kenin::verifier {

enum class DkimResult { kNone, kPass, kFail, kPolicy, kNeutral, kTempError, kPermError };
std::string_view ToToken(DkimResult result);  // "temperror", exactly as in the header

// What the header and JSON report about a signature, filled as far as it could be parsed.
struct SignatureIds {
  std::string domain;     // d=
  std::string selector;   // s=
  std::string identity;   // i= (decoded), or "@" + d= when absent
  std::string algorithm;  // a= as written
  std::string b_prefix;   // first characters of b= for header.b (RFC 6008)
  unsigned key_bits = 0;  // size of the key that was used, 0 if none
  std::string key_type{};  // "rsa" or "ed25519" (k= of that key), empty if none
};

// Members added later carry an initializer ({}), so designated initializers may leave them out.
struct DkimVerdict {
  DkimResult result = DkimResult::kNone;
  std::string reason;  // empty only for kPass
  SignatureIds ids;
  bool key_testing = false;          // key t=y (RFC 6376 §3.6.1): the domain is testing DKIM
  bool body_truncated = false;       // l= left unsigned body content after it
  std::optional<uint64_t> body_length{};  // l= of a signature that parsed (RFC 6376 §3.5)
  // The AD bit of the key record's DNS answer: true "secure", false "unsigned", nullopt when
  // no key answer was read. Only a claim of the resolver; policy/dkim_local_policy.h drops
  // it unless the path to a validating resolver is trusted ([dns] trust_ad).
  std::optional<bool> key_dnssec{};
};

// The one place a parser or policy Error becomes a verdict (permerror, with the detail).
DkimVerdict ToVerdict(const Error& error, SignatureIds ids);

}  // namespace kenin::verifier
