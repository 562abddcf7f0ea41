// Key material for `kenin keygen` and `kenin sign`: generate, load, and publish as a DKIM
// key record (RFC 6376 §3.6.1, RFC 8463 §4) split for a zone file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/key_record.h"

namespace kenin::tools {

enum class KeyKind { kRsa, kEd25519 };

// RSA: 1024..4096 bits. nullopt when OpenSSL cannot generate the key.
std::optional<verifier::PkeyPtr> GenerateKey(KeyKind kind, unsigned bits);
std::string PrivateKeyPem(EVP_PKEY* key);                       // PKCS#8 PEM
std::optional<verifier::PkeyPtr> LoadPrivateKey(std::string_view pem);
// "v=DKIM1; k=rsa; p=<base64>" for the public half of `key`.
std::string PublicKeyRecord(EVP_PKEY* key);
// RFC 1035 §3.3.14: a <character-string> holds at most 255 octets.
std::vector<std::string> SplitTxtStrings(std::string_view value);
// "sel._domainkey.example.com. 3600 IN TXT "…" "…"" ready for a master file.
std::string ZoneLine(std::string_view selector, std::string_view domain, std::string_view value);

}  // namespace kenin::tools
