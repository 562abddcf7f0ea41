// The RSA key inside a DKIM p= (RFC 6376 §3.6.1): a DER SubjectPublicKeyInfo (RFC 5280
// §4.1.2.7) whose algorithm is rsaEncryption and whose BIT STRING holds the PKCS#1
// RSAPublicKey (RFC 3279 §2.3.1, RFC 8017 A.1.1).
//
// Why not d2i_PUBKEY: in OpenSSL 3.0 it builds a decoder chain for every key it reads, about
// 100 µs of CPU a key, where unwrapping the two DER headers here and reading the RSAPublicKey
// with d2i_PublicKey takes about 1 µs (docs/performance.md). Both are OpenSSL's parsers; only
// the SubjectPublicKeyInfo frame is walked here, with ASN1_get_object and d2i_X509_ALGOR.
#pragma once

#include <optional>
#include <string_view>

namespace kenin::verifier {

// The RSAPublicKey octets of `der`, or nullopt unless `der` is exactly one SubjectPublicKeyInfo
// (nothing after it) with the rsaEncryption algorithm and a BIT STRING without unused bits.
// The algorithm's parameters (NULL by RFC 3279) are not looked at, as OpenSSL does not.
std::optional<std::string_view> RsaPublicKeyInSpki(std::string_view der);

}  // namespace kenin::verifier
