// DKIM signing (RFC 6376 §5), for `kenin sign`, the interop tests and the benchmark corpus.
// It reuses the verifier's canonicalization and header-hash code, so what we sign is by
// construction what we verify.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "verifier/canonicalize.h"
#include "verifier/error.h"
#include "verifier/signature.h"

namespace kenin::verifier {

struct SignRequest {
  Algorithm algorithm = Algorithm::kRsaSha256;
  Canonicalization header_canon = Canonicalization::kRelaxed;
  Canonicalization body_canon = Canonicalization::kRelaxed;
  std::string domain;
  std::string selector;
  std::vector<std::string> signed_headers;  // h=; empty: the usual fields present
  std::optional<std::string> identity;      // i=
  bool body_length = false;                 // add l= with the canonical body length
  std::optional<uint64_t> timestamp;        // t=
  std::optional<uint64_t> expiration;       // x=
};

// The header fields signed when no h= is chosen, if present in the message.
const std::vector<std::string>& DefaultSignedHeaders();

// Signs an already computed header-hash `digest` (RFC 6376 §3.3, RFC 8463 §3): the b= octets.
// nullopt when the key does not fit the algorithm. Also used to make ARC sets in tests.
std::optional<std::string> SignDigest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest);

// Returns the DKIM-Signature field value (after the colon, folded, starting with a space).
// Errors: kBadKey when the key type does not match the algorithm, kSyntax when the
// request is incomplete.
Result<std::string> SignMessage(const SignRequest& request, EVP_PKEY* private_key,
                                const std::vector<HeaderField>& headers, std::string_view body);

}  // namespace kenin::verifier
