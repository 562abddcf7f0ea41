#include "policy/message_session.h"

#include <algorithm>
#include <chrono>
#include <future>

#include "policy/arc_override.h"
#include "policy/auth_results.h"
#include "policy/deadline_resolver.h"
#include "policy/early_task.h"
#include "verifier/canonicalize.h"
#include "verifier/idna.h"

namespace kenin::policy {
namespace {

std::string DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  return verifier::ToLower(at == std::string_view::npos ? address : address.substr(at + 1));
}

// The domain check_host() starts from (RFC 7208 §2.4): MAIL FROM's, or HELO for the null sender.
std::string SpfDomain(const Envelope& envelope) {
  return envelope.mail_from.empty() ? verifier::ToLower(envelope.helo) : DomainOf(envelope.mail_from);
}

// The message's resolver, but only for answers that are here already (a cache hit, or a
// lookup that has come back): a lookup still under way is left running and ends the
// evaluation with NotYet.
struct NotYet {};

class AnsweredOnly : public dns::Resolver {
 public:
  explicit AnsweredOnly(dns::Resolver& upstream) : upstream_(upstream) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    dns::AnswerFuture future = upstream_.Lookup(question);
    if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) throw NotYet{};
    return future;
  }

 private:
  dns::Resolver& upstream_;
};

}  // namespace

Envelope WithALabels(Envelope envelope) {
  if (auto helo = verifier::ToALabels(envelope.helo)) envelope.helo = std::move(*helo);
  const size_t at = envelope.mail_from.rfind('@');
  if (at != std::string::npos) {
    if (auto domain = verifier::ToALabels(std::string_view(envelope.mail_from).substr(at + 1))) {
      envelope.mail_from = envelope.mail_from.substr(0, at + 1) + *domain;
    }
  }
  return envelope;
}

MessageSession::MessageSession(const SessionOptions& options, dns::Resolver& resolver,
                               Envelope envelope, BackgroundRunner background)
    : options_(options),
      resolver_(std::make_shared<dns::MemoResolver>(resolver)),
      envelope_(WithALabels(std::move(envelope))),
      background_(std::move(background)),
      dkim_(options.dkim, *resolver_) {
  if (options.arc.enabled) {
    // Through the same memo as DKIM: a key a message's DKIM and ARC share is asked once.
    arc_ = std::make_unique<ArcSession>(options.arc, options.dkim.max_header_bytes, *resolver_);
  }
}

MessageSession::~MessageSession() {
  if (spf_) spf_->Cancel();  // an aborted message: a queued evaluation need not run
}

void MessageSession::OnHeader(std::string_view name, std::string_view value) {
  if (verifier::FieldNameEquals(name, "From")) KeepFrom(value);
  dkim_.OnHeader(name, value);
  if (arc_) arc_->OnHeader(name, value);
}

// DMARC needs every From field (RFC 9989 §4.4: exactly one Author Domain), so none may be
// dropped quietly: From values over the header bound in all make DMARC permerror instead.
void MessageSession::KeepFrom(std::string_view value) {
  from_bytes_ += value.size();
  if (from_over_limit_) return;
  if (from_bytes_ > options_.dkim.max_header_bytes) {
    from_over_limit_ = true;
    std::vector<std::string>().swap(from_values_);
    return;
  }
  from_values_.emplace_back(value);
}

void MessageSession::OnEndOfHeaders(int64_t now) {
  now_ = now;
  dkim_.OnEndOfHeaders(now);
  if (arc_) arc_->OnEndOfHeaders(now);
  StartSpf();
  PrefetchDmarc();
}

SpfRequest MessageSession::MakeSpfRequest() const {
  return SpfRequest{envelope_.client_ip, envelope_.helo, envelope_.mail_from,
                    options_.authserv_id, now_};
}

void MessageSession::StartSpf() {
  if (envelope_.client_ip.empty()) return;
  const SpfRequest request = MakeSpfRequest();
  // With every answer it needs in the cache (the usual case: the same senders again and
  // again), the evaluation takes microseconds; handing it to another thread would cost more
  // (a wake-up on each side). So it runs here first, on answers already here; the first
  // lookup that would wait sends it to the background as below (its lookups keep running).
  try {
    AnsweredOnly answered(*resolver_);
    spf_ = std::make_shared<EarlyTask<SpfVerdict>>(
        [verdict = CheckSpf(request, answered, options_.spf)] { return verdict; });
    spf_->Run();
    return;
  } catch (const NotYet&) {
  }
  // Copies and shared pointers only: the work may run after this session is gone.
  spf_ = std::make_shared<EarlyTask<SpfVerdict>>(
      [request, options = options_.spf, resolver = resolver_] {
        return CheckSpf(request, *resolver, options);
      });
  if (background_ && background_([task = spf_] { task->Run(); })) return;
  // Evaluated at end-of-message; its first lookup can start now all the same.
  const std::string domain = SpfDomain(envelope_);
  if (!domain.empty()) resolver_->Lookup({domain, dns::RecordType::kTxt});
}

void MessageSession::PrefetchDmarc() {
  if (!options_.prefetch_dmarc || from_over_limit_) return;  // DMARC ends in permerror without asking anything
  std::vector<std::string> from_domains = FromDomains(from_values_);
  if (from_domains.size() != 1) return;  // DMARC ends in permerror without asking anything
  const std::string author = dns::NormalizeName(from_domains.front());
  std::vector<std::string> identifiers;
  if (options_.prefetch_identifier_walks) {
    std::vector<std::string> candidates = dkim_.PendingSignatureDomains();
    if (!envelope_.client_ip.empty()) candidates.push_back(SpfDomain(envelope_));
    for (const std::string& candidate : candidates) {
      std::string domain = dns::NormalizeName(candidate);
      // The Author Domain needs no walk of its own (RFC 9989 §4.4: equal names align).
      if (domain == author || std::find(identifiers.begin(), identifiers.end(), domain) !=
                                  identifiers.end()) {
        continue;
      }
      if (identifiers.size() == kMaxSpeculativeDomains) break;
      identifiers.push_back(std::move(domain));
    }
  }
  for (const std::string& domain :
       DmarcPrefetchDomains(author, identifiers, options_.dmarc)) {
    resolver_->Lookup({"_dmarc." + domain, dns::RecordType::kTxt});
  }
}

void MessageSession::OnBodyChunk(std::string_view chunk) {
  dkim_.OnBodyChunk(chunk);
  if (arc_) arc_->OnBodyChunk(chunk);
}

SpfVerdict MessageSession::CollectSpf(const std::optional<verifier::Deadline>& deadline) {
  if (!deadline) return spf_->Take();
  const SpfRequest request = MakeSpfRequest();
  auto check_until_deadline = [&] {
    DeadlineResolver bounded(*resolver_, *deadline);
    SpfVerdict verdict = CheckSpf(request, bounded, options_.spf);
    if (verdict.result == SpfResult::kTempError && bounded.exhausted()) {
      verdict.reason = verifier::kTimeBudgetExhausted;
    }
    return verdict;
  };
  std::optional<SpfVerdict> verdict = spf_->TakeUntil(*deadline, check_until_deadline);
  // A worker still waits for DNS: the deadline is past, so this evaluation decides on the
  // answers already here (any other ends it at once) and names the domain it checked.
  return verdict ? std::move(*verdict) : check_until_deadline();
}

DmarcVerdict MessageSession::EvaluateDmarcOf(const SessionReport& report,
                                             const std::optional<verifier::Deadline>& deadline) {
  if (from_over_limit_) {
    DmarcVerdict verdict;
    verdict.result = DmarcResult::kPermError;
    verdict.reason =
        "From fields over " + std::to_string(options_.dkim.max_header_bytes) + " bytes";
    return verdict;
  }
  DmarcInput input;
  input.from_header_values = from_values_;
  for (const verifier::DkimVerdict& v : report.dkim) input.dkim.push_back({v.ids.domain, v.result});
  if (report.spf) {
    input.spf_domain = report.spf->domain;
    input.spf = report.spf->result;
  }
  if (!deadline) return EvaluateDmarc(input, *resolver_, options_.dmarc);
  DeadlineResolver bounded(*resolver_, *deadline);
  DmarcVerdict verdict = EvaluateDmarc(input, bounded, options_.dmarc);
  if (verdict.result == DmarcResult::kTempError && bounded.exhausted()) {
    verdict.reason = verifier::kTimeBudgetExhausted;
  }
  return verdict;
}

SessionReport MessageSession::OnEndOfMessage(std::optional<verifier::Deadline> deadline) {
  SessionReport report;
  if (!spf_) StartSpf();  // OnEndOfHeaders() was not called: a message without a header
  report.dkim = dkim_.OnEndOfMessage(deadline);
  ApplyDkimLocalPolicy(report.dkim, options_.dkim_policy);  // before DMARC and the header
  if (spf_) report.spf = CollectSpf(deadline);
  report.dmarc = EvaluateDmarcOf(report, deadline);
  if (arc_) {
    report.arc = arc_->OnEndOfMessage(deadline);
    if (auto sealer = ArcOverrideSealer(*report.dmarc, *report.arc, options_.arc.trusted_sealers)) {
      ApplyArcOverride(*report.dmarc);
      report.dmarc_arc_override = std::move(*sealer);
    }
  }

  // Order: dkim, spf, dmarc, arc (RFC 8601 leaves it free; ARC last as it qualifies DMARC).
  report.resinfo = DkimResinfo(report.dkim);
  if (report.spf) report.resinfo.push_back(SpfResinfo(*report.spf));
  report.resinfo.push_back(DmarcResinfo(*report.dmarc));
  if (!report.dmarc_arc_override.empty()) {
    AddArcOverride(report.resinfo.back(), report.dmarc_arc_override);
  }
  // arc=none (no ARC field at all, RFC 8617 §10.1) says nothing a reader can use, so it is
  // left out, as a method not applied may be (RFC 8601 §2.2); the report and metrics have it.
  if (report.arc && report.arc->result != arc::ArcResult::kNone) {
    report.resinfo.push_back(ArcResinfo(*report.arc, envelope_.client_ip));
  }
  report.authentication_results = RenderAuthResults(options_.authserv_id, report.resinfo);
  report.score = ComputeScore(report.dkim, report.spf, report.dmarc, options_.score);
  if (!report.dmarc_arc_override.empty()) {
    // A DMARC failure the operator's trusted sealer accounts for weighs what no DMARC verdict
    // would ("dmarc=none"), not "dmarc=fail": the same local policy as the disposition.
    auto weight = [&](const char* key) {
      auto it = options_.score.weights.find(key);
      return it == options_.score.weights.end() ? 0.0 : it->second;
    };
    report.score += weight("dmarc=none") - weight("dmarc=fail");
  }
  report.action = EnforcementAction(report.dmarc, options_.enforcement);
  return report;
}

}  // namespace kenin::policy
