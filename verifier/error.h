// Errors of the verifier's parsers: an operation that could not complete, as opposed to a
// verdict. Each becomes a DkimVerdict in exactly one place (ToVerdict in dkim_result.h).
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace kenin::verifier {

enum class ErrorCode {
  kSyntax,                // tag-list or value grammar violated
  kDuplicateTag,          // RFC 6376 §3.2: the whole tag-list is invalid
  kMissingTag,            // RFC 6376 §6.1.1: a required tag is absent
  kBadVersion,            // v= is not 1 (signature) or DKIM1 (key)
  kBadBase64,             // b=, bh= or p= is not base64
  kUnsupportedAlgorithm,  // a= or k= we do not implement
  kWeakAlgorithm,         // RFC 8301 §3.1: rsa-sha1 must not be accepted
  kUnsupportedCanonicalization,
  kUnsupportedQueryMethod,
  kIdentityMismatch,      // i= not within d=
  kFromNotSigned,         // h= lacks From (RFC 6376 §5.4)
  kBadTimestamps,         // x= before t=
  kKeyRevoked,            // empty p=
  kKeyMismatch,           // k=/h=/s=/t= of the key do not allow this signature
  kKeyTooSmall,           // RFC 8301 §3.2
  kKeyTooLarge,           // our cost bound
  kBadKey,                // p= does not decode to a key of its type
  kOverLimit,             // over one of our resource bounds (names in h=)
};

struct Error {
  ErrorCode code;
  std::string detail;  // short, human, lower case: "duplicate tag 'bh'"
};

template <typename T>
using Result = tl::expected<T, Error>;

// Input quoted in a reason: at most kMaxExcerpt characters, printable ASCII only (others as
// \xNN), so a hostile field cannot make a reason long or put control octets into the
// Authentication-Results header or the log.
std::string Excerpt(std::string_view input);
inline constexpr size_t kMaxExcerpt = 40;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string detail) {
  return tl::unexpected(Error{code, std::move(detail)});
}

}  // namespace kenin::verifier
