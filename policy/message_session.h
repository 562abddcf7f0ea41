// Runs one message through DKIM, SPF and DMARC and renders the result (SPEC §4, STYLE §5).
// The milter and `kenin verify` drive the same object; only the source of bytes differs.
// Lookups that can start early start at end-of-headers (DKIM keys; the SPF record of the
// MAIL FROM domain and the DMARC record of the From domain are prefetched into the cache),
// so their answers arrive while the body streams. No I/O of its own; not thread-safe.
// `resolver` must outlive the session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"
#include "policy/dmarc.h"
#include "policy/score.h"
#include "policy/spf.h"
#include "verifier/dkim_verifier.h"

namespace kenin::policy {

struct Envelope {
  std::string client_ip;  // empty: SPF not evaluated
  std::string helo;
  std::string mail_from;  // without <>; empty for the null sender
};

struct SessionOptions {
  std::string authserv_id = "localhost";
  verifier::VerifyOptions dkim;
  SpfOptions spf;
  DmarcOptions dmarc;
  ScoreOptions score;
  EnforcementMode enforcement = EnforcementMode::kOff;
};

struct SessionReport {
  std::vector<verifier::DkimVerdict> dkim;
  std::optional<SpfVerdict> spf;      // present when the client IP was known
  std::optional<DmarcVerdict> dmarc;
  std::vector<std::string> resinfo;   // the items of the header, in order
  std::string authentication_results; // the whole value on one line
  double score = 0;
  Action action = Action::kAccept;
};

class MessageSession {
 public:
  MessageSession(const SessionOptions& options, dns::Resolver& resolver, Envelope envelope);

  void OnHeader(std::string_view name, std::string_view value);
  void OnEndOfHeaders(int64_t now);
  void OnBodyChunk(std::string_view chunk);
  SessionReport OnEndOfMessage();

 private:
  const SessionOptions& options_;
  dns::Resolver& resolver_;
  Envelope envelope_;
  verifier::DkimVerifier dkim_;
  std::vector<std::string> from_values_;
  int64_t now_ = 0;  // from OnEndOfHeaders: t= checks and the SPF %{t} macro
  std::vector<dns::AnswerFuture> prefetches_;  // kept so answers land even without a cache
};

}  // namespace kenin::policy
