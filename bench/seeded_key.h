// Signing keys derived from a random stream, so a corpus made twice from one seed is the
// same to the octet, keys and b= values included. OpenSSL's own key generation draws from its
// DRBG, which cannot be seeded; here RSA primes are searched from seeded starting points and
// an Ed25519 private key is 32 seeded octets. For benchmark corpora only: a key whose
// randomness is a published seed protects nothing.
#pragma once

#include <optional>
#include <random>

#include "bench/corpus.h"
#include "verifier/key_record.h"

namespace kenin::bench {

// RSA-2048, RSA-1024 (e = 65537) or Ed25519, drawn from `rng`. nullopt when OpenSSL fails.
std::optional<verifier::PkeyPtr> SeededKey(KeyAlg alg, std::mt19937_64& rng);

}  // namespace kenin::bench
