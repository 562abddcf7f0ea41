// The ARC side of one message (RFC 8617, docs/arc.md): an arc::ArcVerifier fed beside the
// DKIM verifier, with the two bounds a message session keeps for everything it runs
// (docs/security.md, "Resource exhaustion"):
//   - the header copy stops at max_header_bytes; past it the chain is `fail` "header block
//     over N bytes" (the fields it would need may be the ones not kept);
//   - the end-of-message wait for ARC key answers ends at the session's deadline. The lookups
//     start at end-of-headers, before the deadline is known, so they go through a resolver
//     whose answers are waited for no later than a deadline set at end-of-message. An answer
//     not there by then is a lookup failure "time budget exhausted", which ARC treats as
//     final (RFC 8617 §5.2.1: DNS failures are permanent): `fail`.
// Not thread-safe; `resolver` must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_verifier.h"
#include "dns/resolver.h"
#include "verifier/dkim_verifier.h"

namespace kenin::policy {

struct ArcSettings {
  bool enabled = true;  // false: no ARC verifier, no arc= in the header
  arc::ArcOptions verifier;
  // ARC-Seal d= of the newest set whose passing chain may override a DMARC fail (RFC 8617
  // §7.2.1, RFC 7960 §4.1). Lower case; compared case-insensitively.
  std::vector<std::string> trusted_sealers;
};

class ArcSession {
 public:
  ArcSession(const ArcSettings& settings, size_t max_header_bytes, dns::Resolver& resolver);
  ~ArcSession();
  ArcSession(const ArcSession&) = delete;
  ArcSession& operator=(const ArcSession&) = delete;

  void OnHeader(std::string_view name, std::string_view value);
  void OnEndOfHeaders(int64_t now);
  void OnBodyChunk(std::string_view chunk);
  // The chain's verdict, waiting for key answers until `deadline` when one is given.
  arc::ArcVerdict OnEndOfMessage(const std::optional<verifier::Deadline>& deadline);

 private:
  class LateDeadlineResolver;

  const size_t max_header_bytes_;
  size_t header_bytes_ = 0;
  bool header_dropped_ = false;
  bool arc_field_seen_ = false;
  bool end_of_headers_ = false;
  std::unique_ptr<LateDeadlineResolver> resolver_;
  std::unique_ptr<arc::ArcVerifier> verifier_;
};

}  // namespace kenin::policy
