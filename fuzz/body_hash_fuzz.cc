// BodyHasher (RFC 6376 §3.4.3, §3.4.4, §3.5 l=) as a differential target: the body fed in
// chunks whose sizes the fuzzer chooses (a CR may end one chunk and its LF start the next)
// must give the same digest, canonical length and truncation flag as the body fed whole, and
// both must equal the digest of the independent reference canonicalization
// (tests/unit/verifier/body_reference.h) cut to l=. Simple and relaxed, SHA-256 and SHA-1,
// with and without l=.
// Input: the body, then (taken from the end by FuzzedDataProvider) mode bits, l= and up to
// 16 chunk sizes that repeat.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "tests/unit/verifier/body_reference.h"
#include "verifier/body_hasher.h"
#include "verifier/digest.h"

using kenin::fuzz::Check;
namespace v = kenin::verifier;

namespace {

struct Outcome {
  std::string digest;
  uint64_t canonical_length = 0;
  bool truncated = false;
  bool operator==(const Outcome&) const = default;
};

Outcome Hash(v::Canonicalization canon, v::HashAlgorithm hash, std::optional<uint64_t> limit,
             std::string_view body, const std::vector<size_t>& sizes) {
  v::BodyHasher hasher(canon, hash, limit);
  size_t pos = 0;
  for (size_t i = 0; pos < body.size(); ++i) {
    size_t n = sizes.empty() ? body.size() : sizes[i % sizes.size()];
    hasher.Update(body.substr(pos, n));  // n may be 0: an empty chunk must be harmless
    pos += n;
  }
  Outcome out;
  out.digest = hasher.Finish();
  out.canonical_length = hasher.canonical_length();
  out.truncated = hasher.truncated();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const uint8_t mode = input.ConsumeIntegral<uint8_t>();
  const auto canon = (mode & 1) ? v::Canonicalization::kRelaxed : v::Canonicalization::kSimple;
  const auto hash = (mode & 2) ? v::HashAlgorithm::kSha1 : v::HashAlgorithm::kSha256;
  std::optional<uint64_t> limit;
  if (mode & 4) limit = input.ConsumeIntegral<uint16_t>();
  std::vector<size_t> sizes(input.ConsumeIntegralInRange<size_t>(1, 16));
  for (size_t& s : sizes) s = input.ConsumeIntegralInRange<size_t>(0, 64);
  if (sizes == std::vector<size_t>(sizes.size(), 0)) sizes.back() = 1;
  const std::string body = input.ConsumeRemainingBytesAsString();

  const Outcome whole = Hash(canon, hash, limit, body, {});
  const Outcome chunked = Hash(canon, hash, limit, body, sizes);
  Check(chunked == whole, "chunked equals whole", body);
  if (body.size() <= 4096) {
    Check(Hash(canon, hash, limit, body, {1}) == whole, "byte by byte equals whole", body);
  }

  std::string canonical = v::reference::ReferenceCanonicalBody(body, canon);
  Check(whole.canonical_length == canonical.size(), "canonical length equals the reference", body);
  Check(whole.truncated == (limit && *limit < canonical.size()), "truncated iff l= is shorter");
  if (limit && *limit < canonical.size()) canonical.resize(static_cast<size_t>(*limit));
  Check(whole.digest == v::HashBytes(hash, canonical), "digest equals the reference", body);
  return 0;
}
