// Validates the Authenticated Received Chain of one message (RFC 8617 §5.2) as it streams
// past, driven like verifier::DkimVerifier: header fields one by one, end of headers, body
// chunks, end of message. Key lookups start at end-of-headers so their answers arrive while
// the body is hashed; a chain whose form is invalid is decided there, with no lookup and no
// body hashing. One object per message; not thread-safe. `resolver` must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_chain.h"
#include "arc/arc_fields.h"
#include "arc/arc_result.h"
#include "dns/resolver.h"
#include "verifier/body_hasher.h"
#include "verifier/canonicalize.h"
#include "verifier/key_record.h"
#include "verifier/signature.h"

namespace kenin::arc {

struct ArcOptions {
  verifier::SignatureOptions signature;  // rsa-sha1 refused unless allowed (RFC 8301 §3.1)
  verifier::KeyOptions key;              // RSA keys of 1024..8192 bits (RFC 8301 §3.2)
  int64_t clock_skew_seconds = 300;      // tolerance for t= in the future, x= in the past
  // header.oldest-pass (RFC 8617 §5.2 step 5, optional) verifies older AMSs after the newest,
  // each maybe with its own body hash: at most this many, which bounds the body work of a
  // hostile 50-set chain. 0 leaves oldest-pass unset for chains of more than one set.
  int max_older_signatures = 7;
};

class ArcVerifier {
 public:
  ArcVerifier(const ArcOptions& options, dns::Resolver& resolver);
  ~ArcVerifier();

  // `name` without the colon; `value` raw after the colon (leading space, folding kept).
  // REQUIRES: OnEndOfHeaders() not called yet.
  void OnHeader(std::string_view name, std::string_view value);
  // Reads the ARC fields, checks the chain's form and starts the key lookups. `now` in
  // seconds since the epoch.
  void OnEndOfHeaders(int64_t now);
  // REQUIRES: OnEndOfHeaders() called.
  void OnBodyChunk(std::string_view chunk);
  // The chain's verdict. Waits for the key lookups.
  // REQUIRES: OnEndOfHeaders() called; called once.
  ArcVerdict OnEndOfMessage();

 private:
  struct SetState;

  void BuildFieldViews();
  // RFC 8617 §5.2 steps 1-3, and the newest AMS parsing: a verdict when they decide.
  std::optional<ArcVerdict> CheckForm(int64_t now);
  std::optional<ArcVerdict> CollectFields(std::vector<ArcFieldRef>& refs) const;
  std::optional<ArcVerdict> ParseSets(int64_t now);
  void StartChecks();
  size_t HasherFor(const verifier::DkimSignature& signature);
  std::optional<std::string> CheckSignature(const SetState& set,
                                            const std::vector<std::string>& body_hashes) const;
  std::optional<std::string> CheckSeal(size_t index) const;
  dns::AnswerFuture LookupKey(std::string_view selector, std::string_view domain);

  const ArcOptions options_;
  dns::Resolver& resolver_;
  // Every field's name and value back to back; `fields_` views into it once the header is
  // complete (as in DkimVerifier: a field costs no allocation of its own).
  std::string header_bytes_;
  std::vector<std::pair<size_t, size_t>> field_sizes_;  // name size, value size
  std::vector<verifier::HeaderFieldView> fields_;

  std::optional<ArcVerdict> decided_;  // at end of headers: none, or a chain of invalid form
  ArcVerdict verdict_;                 // the chain's sets and report data, once its form is valid
  std::vector<ArcSetFields> set_fields_;              // instance order
  std::vector<SetState> sets_;                        // instance order
  std::map<std::string, dns::AnswerFuture> lookups_;  // by NormalizeName(key name)
  std::vector<verifier::BodyHasher> hashers_;
};

}  // namespace kenin::arc
