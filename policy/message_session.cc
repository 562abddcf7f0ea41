#include "policy/message_session.h"

#include "policy/auth_results.h"
#include "verifier/canonicalize.h"

namespace kenin::policy {
namespace {

std::string DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  return verifier::ToLower(at == std::string_view::npos ? address : address.substr(at + 1));
}

}  // namespace

MessageSession::MessageSession(const SessionOptions& options, dns::Resolver& resolver, Envelope envelope)
    : options_(options), resolver_(resolver), envelope_(std::move(envelope)), dkim_(options.dkim, resolver) {}

void MessageSession::OnHeader(std::string_view name, std::string_view value) {
  if (verifier::FieldNameEquals(name, "From")) from_values_.emplace_back(value);
  dkim_.OnHeader(name, value);
}

void MessageSession::OnEndOfHeaders(int64_t now) {
  now_ = now;
  dkim_.OnEndOfHeaders(now);
  // Warm the cache for the first lookup SPF and DMARC will make at end-of-message.
  if (!envelope_.client_ip.empty()) {
    std::string spf_domain = envelope_.mail_from.empty() ? envelope_.helo : DomainOf(envelope_.mail_from);
    if (!spf_domain.empty()) prefetches_.push_back(resolver_.Lookup({spf_domain, dns::RecordType::kTxt}));
  }
  std::vector<std::string> from_domains = FromDomains(from_values_);
  if (from_domains.size() == 1) {
    prefetches_.push_back(resolver_.Lookup({"_dmarc." + from_domains.front(), dns::RecordType::kTxt}));
  }
}

void MessageSession::OnBodyChunk(std::string_view chunk) { dkim_.OnBodyChunk(chunk); }

SessionReport MessageSession::OnEndOfMessage() {
  SessionReport report;
  report.dkim = dkim_.OnEndOfMessage();
  DmarcInput dmarc_input;
  dmarc_input.from_header_values = from_values_;
  for (const verifier::DkimVerdict& v : report.dkim) dmarc_input.dkim.push_back({v.ids.domain, v.result});
  if (!envelope_.client_ip.empty()) {
    SpfRequest request{envelope_.client_ip, envelope_.helo, envelope_.mail_from, options_.authserv_id, now_};
    report.spf = CheckSpf(request, resolver_, options_.spf);
    dmarc_input.spf_domain = report.spf->domain;
    dmarc_input.spf = report.spf->result;
  }
  report.dmarc = EvaluateDmarc(dmarc_input, resolver_, options_.dmarc);

  report.resinfo = DkimResinfo(report.dkim);
  if (report.spf) report.resinfo.push_back(SpfResinfo(*report.spf));
  report.resinfo.push_back(DmarcResinfo(*report.dmarc));
  report.authentication_results = RenderAuthResults(options_.authserv_id, report.resinfo);
  report.score = ComputeScore(report.dkim, report.spf, report.dmarc, options_.score);
  report.action = EnforcementAction(report.dmarc, options_.enforcement);
  return report;
}

}  // namespace kenin::policy
