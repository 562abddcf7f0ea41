// Keys for ARC signatures: the TXT answer at selector._domainkey.domain (the DKIM key record,
// RFC 8617 §4.1.2 and §4.1.3 import it unchanged) turned into the keys that may check a
// signature of a given algorithm, then the check itself. Keys are parsed once per answer and
// shared with the DKIM verifier through the answer's memo. RFC 8617 §5.2.1: every error is a
// failure of the chain, DNS errors included, so every outcome here is pass or a reason.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "dns/resolver.h"
#include "verifier/error.h"
#include "verifier/key_record.h"
#include "verifier/signature.h"

namespace kenin::arc {

dns::Question KeyQuestion(std::string_view selector, std::string_view domain);

// The keys of one answer that fit `algorithm`: sized within `options`, of its type, allowing
// its hash and the email service (RFC 6376 §3.6.1 k=, h=, s=). Holds the parsed answer.
struct UsableKeys {
  std::shared_ptr<const std::vector<verifier::Result<verifier::KeyRecord>>> parsed;
  std::vector<const verifier::KeyRecord*> keys;  // into *parsed; never empty
};

// The usable keys, or why there are none ("key lookup failed: timeout", "no key record",
// "key revoked", "key type does not match a="): the first reason of the first record.
tl::expected<UsableKeys, std::string> FindUsableKeys(const dns::Result<dns::Answer>& answer,
                                                     verifier::Algorithm algorithm,
                                                     const verifier::KeyOptions& options);

// True when `signature` over `digest` verifies with one of the keys.
bool VerifiesWithAny(const UsableKeys& keys, verifier::Algorithm algorithm, std::string_view digest,
                     std::string_view signature);

}  // namespace kenin::arc
