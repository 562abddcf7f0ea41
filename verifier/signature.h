// DKIM-Signature header field (RFC 6376 §3.5): parsing and the checks of §6.1.1 that need
// only the field itself. Time checks (t=, x= against now) belong to the verifier.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/canonicalize.h"
#include "verifier/dkim_result.h"
#include "verifier/error.h"
#include "verifier/tag_list.h"

namespace kenin::verifier {

enum class Algorithm { kRsaSha256, kEd25519Sha256, kRsaSha1 };
enum class KeyType { kRsa, kEd25519 };
enum class HashAlgorithm { kSha256, kSha1 };

KeyType KeyTypeOf(Algorithm a);
HashAlgorithm HashOf(Algorithm a);
std::string_view ToString(HashAlgorithm h);  // "sha256", as in key h= and a=

struct SignatureOptions {
  // RFC 8301 §3.1: rsa-sha1 MUST NOT be used for verifying. Off except for conformance runs
  // that score an RFC 6376-only reading.
  bool allow_rsa_sha1 = false;
  // Names a signature's h= may list: a cost bound of ours (the header hash looks up each
  // name among all fields), not an RFC rule; more is permerror "h= lists N names, over M".
  // Real signers list 5 to 40, oversigning included (kenind: [dkim] max_signed_headers).
  size_t max_signed_headers = 128;
};

struct DkimSignature {
  Algorithm algorithm = Algorithm::kRsaSha256;
  std::string signature;  // b=, decoded
  std::string body_hash;  // bh=, decoded
  Canonicalization header_canon = Canonicalization::kSimple;
  Canonicalization body_canon = Canonicalization::kSimple;
  std::string domain;                       // d=, lower case
  std::string selector;                     // s=
  std::vector<std::string> signed_headers;  // h=, as written, in order
  std::string identity;                     // i=, decoded; "@" + d= when absent
  std::optional<uint64_t> body_length;      // l=
  std::optional<uint64_t> timestamp;        // t=
  std::optional<uint64_t> expiration;       // x=
  // The field value with b='s value removed (RFC 6376 §3.7): what the header hash covers.
  std::string value_without_b;
  SignatureIds ids;
};

// Parses the value of a DKIM-Signature field (raw, after the colon, folding included).
Result<DkimSignature> ParseSignature(std::string_view value, const SignatureOptions& options = {});

// RFC 8617 §4.1.2: an ARC-Message-Signature value, which is a DKIM-Signature without v=
// (ignored if present) whose i= is the ARC instance, not the AUID. Every other check of
// ParseSignature applies (From in h= included); `identity` is left empty. The instance is
// read and checked by arc/.
Result<DkimSignature> ParseArcMessageSignature(std::string_view value,
                                               const SignatureOptions& options = {});

// Pieces of ParseSignature that the ARC-Seal parser (arc/arc_fields.h) shares.
// a= (RFC 6376 §3.5, RFC 8463 §3); rsa-sha1 only when `options` allow it (RFC 8301 §3.1).
Result<Algorithm> ParseAlgorithm(std::string_view a, const SignatureOptions& options);
// Decimal digits only; saturates at UINT64_MAX. nullopt when empty or not digits.
std::optional<uint64_t> ParseDecimal(std::string_view text);
// d= and s=: dot-separated labels of letters, digits, '-', '_' or UTF-8 (RFC 8616).
bool IsDomainName(std::string_view name);
// RFC 6376 §3.7: `value` with the value of tag `b` (parsed from `value`) removed.
std::string RemoveBValue(std::string_view value, const Tag& b);

// Best-effort d=, s=, i=, a=, b= of a field that may not parse, for reporting.
SignatureIds ExtractIds(std::string_view value);

// RFC 6376 §2.11 dkim-quoted-printable: "=XX" hex escapes, FWS removed.
std::optional<std::string> DecodeDkimQuotedPrintable(std::string_view text);

// True when `domain` equals `parent` or is a subdomain of it, ignoring case.
bool IsSameOrSubdomain(std::string_view domain, std::string_view parent);

}  // namespace kenin::verifier
