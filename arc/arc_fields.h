// The three ARC header fields (RFC 8617 §4.1) and the instance tag they share (§4.2.1):
// ARC-Authentication-Results (AAR), ARC-Message-Signature (AMS) and ARC-Seal (AS). Values
// are raw, after the colon, folding kept; parsed structs own their data. Errors are
// verifier::Error with a short, printable detail (input quoted through verifier::Excerpt).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "verifier/error.h"
#include "verifier/signature.h"

namespace kenin::arc {

enum class ArcFieldKind { kAuthResults, kMessageSignature, kSeal };
// The kind of an ARC field by its name (case-insensitive, WSP before the colon ignored), or
// nullopt for any other field.
std::optional<ArcFieldKind> ArcFieldKindOf(std::string_view field_name);
std::string_view FieldName(ArcFieldKind kind);  // "ARC-Seal", as in reasons

// RFC 8617 §4.2.1: instance values run from 1 to 50.
inline constexpr int kMaxInstance = 50;

// `position = 1*2DIGIT ; 1 - 50` (RFC 8617 §3.9 of the draft, §4.2.1).
verifier::Result<int> ParseInstance(std::string_view text);

// The instance of any ARC field: the leading "i=N;" of an AAR (§4.1.1), the i= tag of an AMS
// or AS tag-list. Enough to sort fields into sets before parsing them fully.
verifier::Result<int> ReadInstance(ArcFieldKind kind, std::string_view value);

// RFC 8617 §4.1.1: `arc-info = instance [CFWS] ";" authres-payload`. The payload's syntax
// does not affect the chain's validity, so only what is reported is read from it.
struct ArcAuthResults {
  int instance = 0;
  std::string authserv_id;  // the payload's first token, when printable and at most 255 octets
  std::string remote_ip;    // smtp.remote-ip, when present and a valid IPv4/IPv6 address
  // The authres-payload as written ("authserv-id; method=result ..."): what the sealer
  // recorded on receipt, read by the trusted-sealer check (policy/arc_override.h).
  std::string payload;
};
verifier::Result<ArcAuthResults> ParseAuthResults(std::string_view value);

// RFC 8617 §4.1.3 cv= (the Chain Validation Status the sealer saw).
enum class ChainStatus { kNone, kFail, kPass };

struct ArcSeal {
  int instance = 0;
  ChainStatus cv = ChainStatus::kNone;
  verifier::Algorithm algorithm = verifier::Algorithm::kRsaSha256;
  std::string signature;              // b=, decoded
  std::string domain;                 // d=, lower case
  std::string selector;               // s=
  std::optional<uint64_t> timestamp;  // t=
  std::string value_without_b;        // the field value with b='s value removed (RFC 6376 §3.7)
};
// RFC 8617 §4.1.3: tags i, cv, a, b, d, s required, t optional, others ignored, except h=,
// which makes the seal invalid.
verifier::Result<ArcSeal> ParseSeal(std::string_view value,
                                    const verifier::SignatureOptions& options);

struct ArcMessageSignature {
  int instance = 0;
  verifier::DkimSignature signature;  // `identity` empty: an AMS has no AUID
};
// RFC 8617 §4.1.2: a DKIM-Signature without v= whose i= is the instance
// (verifier::ParseArcMessageSignature), and whose h= lists no ARC-Seal.
verifier::Result<ArcMessageSignature> ParseMessageSignature(
    std::string_view value, const verifier::SignatureOptions& options);

}  // namespace kenin::arc
