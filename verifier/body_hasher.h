// Streaming body canonicalization and hash (RFC 6376 §3.4.3, §3.4.4, §3.7). The body arrives
// in chunks split anywhere (a CR ending one chunk and its LF starting the next); the hasher
// never holds the body: trailing empty lines are a counter, a dangling CR a flag, and l= a
// count of octets still to hash. Not thread-safe; one per (canonicalization, hash, l=).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "verifier/canonicalize.h"
#include "verifier/digest.h"

namespace kenin::verifier {

class BodyHasher {
 public:
  BodyHasher(Canonicalization canon, HashAlgorithm hash, std::optional<uint64_t> length_limit);

  // REQUIRES: Finish() not called.
  void Update(std::string_view chunk);
  // Applies the end-of-body rules and returns the digest. REQUIRES: called once.
  std::string Finish();

  // Canonical body octets seen so far (all of them, not only the l= prefix). After
  // Finish() this is the length of the whole canonical body.
  uint64_t canonical_length() const { return canonical_length_; }
  // After Finish(): l= was given and the canonical body was longer than it.
  bool truncated() const { return limit_ && canonical_length_ > *limit_; }

  Canonicalization canon() const { return canon_; }
  HashAlgorithm hash() const { return hash_; }
  std::optional<uint64_t> limit() const { return limit_; }

 private:
  void Content(std::string_view bytes);
  void EndOfLine();
  void Emit(std::string_view bytes);
  void Flush();

  Canonicalization canon_;
  HashAlgorithm hash_;
  std::optional<uint64_t> limit_;
  Digest digest_;
  uint64_t canonical_length_ = 0;
  uint64_t pending_crlf_ = 0;      // empty lines held back: dropped if the body ends here
  bool cr_pending_ = false;        // the last octet was a CR whose LF may come next
  bool line_has_content_ = false;  // the current line has canonical content already
  bool wsp_pending_ = false;       // relaxed: a WSP run seen since the last content
  std::array<char, 8192> buffer_;  // batches small pieces into fewer digest updates
  size_t buffered_ = 0;
};

}  // namespace kenin::verifier
