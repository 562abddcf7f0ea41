// Verifies every DKIM-Signature of one message as it streams past: header fields one by one,
// then the body in chunks of any size. Key lookups start at end-of-headers so their answers
// arrive while the body is hashed. One object per message; not thread-safe.
// `resolver` must outlive the verifier.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"
#include "verifier/body_hasher.h"
#include "verifier/dkim_result.h"
#include "verifier/key_record.h"
#include "verifier/signature.h"

namespace kenin::verifier {

struct VerifyOptions {
  SignatureOptions signature;
  KeyOptions key;
  size_t max_signatures = 8;     // SPEC §2: later signatures get permerror "too many"
  int64_t clock_skew_seconds = 300;  // tolerance for t= in the future and x= in the past
};

class DkimVerifier {
 public:
  DkimVerifier(const VerifyOptions& options, dns::Resolver& resolver);
  ~DkimVerifier();

  // `name` without the colon; `value` raw after the colon (leading space, folding kept).
  // REQUIRES: OnEndOfHeaders() not called yet.
  void OnHeader(std::string_view name, std::string_view value);
  // Parses the signatures and starts their key lookups. `now` in seconds since the epoch.
  void OnEndOfHeaders(int64_t now);
  // REQUIRES: OnEndOfHeaders() called.
  void OnBodyChunk(std::string_view chunk);
  // One verdict per DKIM-Signature field, top of the message first. Waits for key lookups.
  std::vector<DkimVerdict> OnEndOfMessage();

  // The d= of each signature that may still pass, after OnEndOfHeaders(): what DMARC
  // alignment may have to look at, so its lookups can start with the keys'.
  std::vector<std::string> PendingSignatureDomains() const;

 private:
  struct Candidate;

  size_t HasherFor(const DkimSignature& sig);
  DkimVerdict Evaluate(Candidate& candidate, std::vector<std::string>& body_hashes);
  DkimVerdict Check(const Candidate& candidate, const KeyRecord& key, const std::string& body_hash);

  const VerifyOptions options_;  // a copy: small, and callers may pass a temporary
  dns::Resolver& resolver_;
  // Every field's name and value back to back, so a field costs no allocation of its own;
  // `fields_` views into it once the header is complete (it no longer grows then).
  std::string header_bytes_;
  struct FieldSizes {
    size_t name_size;
    size_t value_size;
  };
  std::vector<FieldSizes> field_sizes_;
  std::vector<HeaderFieldView> fields_;
  std::vector<Candidate> candidates_;
  std::vector<BodyHasher> hashers_;
};

}  // namespace kenin::verifier
