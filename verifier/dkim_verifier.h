// Verifies every DKIM-Signature of one message as it streams past: header fields one by one,
// then the body in chunks of any size. Key lookups start at end-of-headers so their answers
// arrive while the body is hashed. One object per message; not thread-safe.
// `resolver` must outlive the verifier.
// Memory is bounded whatever the message (docs/security.md, "Resource exhaustion"): the body
// is never kept, the header only up to max_header_bytes, and at most kMaxListedSignatures
// signature fields get a verdict of their own.
#pragma once

#include <chrono>
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
  // The header block kept for the header hashes, each field counted as on the wire (name,
  // ':', value, CRLF). A header over it is not kept at all: every signature gets permerror
  // "header block over N bytes" (the hash needs every field, RFC 6376 §5.4.2 counts
  // instances from the bottom).
  size_t max_header_bytes = 256 * 1024;
};

// Signature fields past this many get no verdict of their own: one last verdict stands for
// them all ("N more signatures not listed"), so the report (and the Authentication-Results
// header made of it) stays bounded. Equal to the largest max_signatures kenind accepts.
inline constexpr size_t kMaxListedSignatures = 64;

// The end-of-message wait for DNS answers is bounded by a deadline (kenind's [limits]
// eom_budget_ms); what is still unanswered then is temperror with this reason.
using Deadline = std::chrono::steady_clock::time_point;
inline constexpr std::string_view kTimeBudgetExhausted = "time budget exhausted";

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
  // One verdict per DKIM-Signature field, top of the message first (the fields past
  // kMaxListedSignatures share one). Waits for key lookups, until `deadline` when given: a key
  // not there by then is temperror kTimeBudgetExhausted.
  std::vector<DkimVerdict> OnEndOfMessage(std::optional<Deadline> deadline = std::nullopt);

  // The d= of each signature that may still pass, after OnEndOfHeaders(): what DMARC
  // alignment may have to look at, so its lookups can start with the keys'.
  std::vector<std::string> PendingSignatureDomains() const;

 private:
  struct Candidate;

  void DropHeader();
  void ParseCandidates(int64_t now);
  size_t HasherFor(const DkimSignature& sig);
  DkimVerdict Evaluate(Candidate& candidate, std::vector<std::string>& body_hashes,
                       const std::optional<Deadline>& deadline);
  // Every key of the answered key record tried in turn (the first pass wins).
  DkimVerdict EvaluateKeys(const Candidate& candidate, const dns::Answer& answer,
                           const std::string& body_hash);
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
  size_t header_size_ = 0;       // every field so far, as on the wire, kept or not
  bool header_dropped_ = false;  // header_size_ went over max_header_bytes
  std::vector<Candidate> candidates_;  // one per signature field, up to kMaxListedSignatures
  size_t unlisted_signatures_ = 0;     // signature fields past kMaxListedSignatures
  std::vector<BodyHasher> hashers_;
};

}  // namespace kenin::verifier
