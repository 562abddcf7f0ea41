// DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4): the TXT record at
// selector._domainkey.domain, parsed once into an immutable KeyRecord whose decoded public
// key can be shared across threads and messages.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "verifier/error.h"
#include "verifier/signature.h"

namespace kenin::verifier {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct KeyOptions {
  unsigned min_rsa_bits = 1024;  // RFC 8301 §3.2: smaller keys MUST NOT be considered valid
  unsigned max_rsa_bits = 8192;  // cost bound: a huge key makes every verify expensive
};

struct KeyRecord {
  KeyType type = KeyType::kRsa;
  std::vector<std::string> hashes;    // h=; empty means every hash
  std::vector<std::string> services;  // s=; default "*"
  bool testing = false;               // t=y
  bool strict_identity = false;       // t=s: i= domain must equal d=
  unsigned bits = 0;
  std::shared_ptr<EVP_PKEY> key;      // immutable once built; safe to share
  // RSA keys: an rsa-sha256 verify context (PKCS#1 v1.5, SHA-256) set up once with the key.
  // Only ever read, by EVP_PKEY_CTX_dup() in VerifyDigest(), so it is as shareable as `key`;
  // setting one up costs about as much as a 2048-bit verify. Null for Ed25519 keys.
  std::shared_ptr<EVP_PKEY_CTX> rsa_sha256_verify;

  bool AllowsHash(HashAlgorithm h) const;
  bool AllowsEmail() const;
};

// Parses the concatenated strings of one TXT record. Errors: kSyntax, kDuplicateTag,
// kBadVersion, kMissingTag (no p=), kKeyRevoked (empty p=), kBadBase64,
// kUnsupportedAlgorithm (k=), kBadKey, kKeyTooSmall, kKeyTooLarge.
Result<KeyRecord> ParseKeyRecord(std::string_view txt, const KeyOptions& options = {});

// RFC 8301 §3.2 lower bound and our cost upper bound on RSA key size (Ed25519 always fits).
Result<void> CheckKeySize(const KeyRecord& record, const KeyOptions& options);

// Decodes DER/raw public key bytes of the given type. kBadKey when they do not decode.
Result<PkeyPtr> DecodePublicKey(KeyType type, std::string_view bytes);

// RFC 6376 §3.3 / RFC 8463 §3: checks `signature` over the already computed `digest`.
bool VerifyDigest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest,
                  std::string_view signature);
// The same with a parsed key, starting from its prepared context where there is one.
bool VerifyDigest(const KeyRecord& record, Algorithm algorithm, std::string_view digest,
                  std::string_view signature);

}  // namespace kenin::verifier
