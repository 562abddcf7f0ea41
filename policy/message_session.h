// Runs one message through DKIM, SPF and DMARC and renders the result (SPEC §4, STYLE §5).
// The milter and `kenin verify` drive the same object; only the source of bytes differs.
// Everything that can start before the body starts at end-of-headers, so a message waits
// for about one DNS round trip in all, not one per lookup (SPEC §5):
//   - the DKIM key of every signature;
//   - every _dmarc name the DMARC evaluation may ask (DmarcPrefetchDomains);
//   - every ARC key (policy/arc_session.h: ARC-Seal and ARC-Message-Signature keys);
//   - the whole SPF evaluation, which needs only the envelope: its lookups depend on one
//     another, so it runs on a background thread while the body streams, when one is given;
//     but first it is tried at once on the answers already there (the cache), which settles
//     it without a thread hand-over whenever no lookup would wait.
// All lookups of a message go through one dns::MemoResolver, so none is asked twice.
// Bounded whatever the message (docs/security.md, "Resource exhaustion"): the header is kept
// up to options.dkim.max_header_bytes (From fields too: more makes DMARC permerror), and
// given a deadline the end-of-message waits end there, what is unanswered becoming temperror
// "time budget exhausted" (DKIM keys, SPF, DMARC; for ARC a fail with that reason, since ARC
// has no temperror: RFC 8617 §5.2.1).
// Not thread-safe (one thread drives it); `resolver` must outlive the session, and anything
// the background work needs beyond the session must be kept alive by `background`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/memo_resolver.h"
#include "dns/resolver.h"
#include "policy/dkim_local_policy.h"
#include "arc/arc_result.h"
#include "policy/arc_session.h"
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

// The envelope with the HELO name and the MAIL FROM domain in A-labels (RFC 8616 §4: SPF
// looks up, expands %{d} and aligns the A-label form; SMTPUTF8 may bring U-labels). A name
// that is not a valid IDN is left as it came, for SPF to find malformed (RFC 7208 §4.3:
// none). The local-part is left alone.
Envelope WithALabels(Envelope envelope);

struct SessionOptions {
  std::string authserv_id = "localhost";
  verifier::VerifyOptions dkim;
  DkimLocalPolicy dkim_policy;  // l= and DNSSEC status: policy/dkim_local_policy.h
  SpfOptions spf;
  DmarcOptions dmarc;
  ArcSettings arc;
  ScoreOptions score;
  EnforcementMode enforcement = EnforcementMode::kOff;
  // Also prefetch the DMARC tree walks of the signing and SPF domains, which relaxed
  // alignment walks only when that identifier passes: speculative, so a daemon (where the
  // answers fill the shared cache) wants it and a one-shot `kenin verify` does not.
  // At most kMaxSpeculativeDomains domains per message.
  bool prefetch_identifier_walks = false;
  // Ask the _dmarc names at end-of-headers, so their answers arrive while the body streams.
  // Off where the resolver answers in the calling thread (`kenin verify --zone`): there
  // nothing can arrive meanwhile, and the prefetch would only do the DMARC walk twice.
  bool prefetch_dmarc = true;
};
inline constexpr size_t kMaxSpeculativeDomains = 4;

struct SessionReport {
  std::vector<verifier::DkimVerdict> dkim;
  std::optional<SpfVerdict> spf;      // present when the client IP was known
  std::optional<DmarcVerdict> dmarc;  // disposition none when a trusted ARC sealer overrode it
  std::optional<arc::ArcVerdict> arc; // present when ARC is enabled
  // The trusted sealer whose passing chain overrode a DMARC fail (policy/arc_override.h);
  // empty when there was no override.
  std::string dmarc_arc_override;
  std::vector<std::string> resinfo;   // the items of the header, in order
  std::string authentication_results; // the whole value on one line
  double score = 0;
  Action action = Action::kAccept;
};

// Runs a task on another thread and returns true, or returns false when it cannot (its
// queue is full); the session then does that work itself at end-of-message.
using BackgroundRunner = std::function<bool(std::function<void()>)>;

template <typename T>
class EarlyTask;  // policy/early_task.h

class MessageSession {
 public:
  // Without `background` (the CLI) the SPF evaluation runs at end-of-message.
  MessageSession(const SessionOptions& options, dns::Resolver& resolver, Envelope envelope,
                 BackgroundRunner background = {});
  ~MessageSession();
  MessageSession(const MessageSession&) = delete;
  MessageSession& operator=(const MessageSession&) = delete;

  void OnHeader(std::string_view name, std::string_view value);
  void OnEndOfHeaders(int64_t now);
  void OnBodyChunk(std::string_view chunk);
  // Collects every verdict, waiting for DNS answers until `deadline` when one is given.
  SessionReport OnEndOfMessage(std::optional<verifier::Deadline> deadline = std::nullopt);

 private:
  void KeepFrom(std::string_view value);
  SpfRequest MakeSpfRequest() const;
  void StartSpf();
  void PrefetchDmarc();
  SpfVerdict CollectSpf(const std::optional<verifier::Deadline>& deadline);
  DmarcVerdict EvaluateDmarcOf(const SessionReport& report,
                               const std::optional<verifier::Deadline>& deadline);

  const SessionOptions& options_;
  // Shared with the background SPF evaluation, which may outlive an aborted session.
  std::shared_ptr<dns::MemoResolver> resolver_;
  Envelope envelope_;
  BackgroundRunner background_;
  verifier::DkimVerifier dkim_;
  std::unique_ptr<ArcSession> arc_;  // when options.arc.enabled
  std::vector<std::string> from_values_;
  size_t from_bytes_ = 0;          // of every From value so far, kept or not
  bool from_over_limit_ = false;   // from_bytes_ went over max_header_bytes: none kept
  int64_t now_ = 0;  // from OnEndOfHeaders: t= checks and the SPF %{t} macro
  std::shared_ptr<EarlyTask<SpfVerdict>> spf_;  // set at end-of-headers when SPF applies
};

}  // namespace kenin::policy
