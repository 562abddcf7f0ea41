// The two entry points: CheckSpf() picks the identity (§2.3, §2.4) and CheckHost() splits
// the <sender> (§4.3) before handing over to the evaluator (spf_eval.h).
//
// A MAIL FROM without "@" (not an RFC 5321 address; MTAs normally refuse it) is read as a
// local-part whose domain is the HELO name, as pyspf does: RFC 7208 does not say.
#include "policy/spf.h"

#include "policy/spf_eval.h"

namespace kenin::policy {
namespace {

SpfVerdict Check(std::string_view client_ip, std::string_view domain, std::string_view sender,
                 std::string_view helo, dns::Resolver& resolver, const SpfOptions& options,
                 std::string_view receiver, std::optional<int64_t> now) {
  SpfVerdict verdict;
  verdict.domain = std::string(domain);
  SpfIdentity identity;
  size_t at = sender.rfind('@');
  identity.local_part = std::string(at == std::string_view::npos ? sender : sender.substr(0, at));
  identity.sender_domain =
      std::string(at == std::string_view::npos ? domain : sender.substr(at + 1));
  // §4.3: "If the <sender> has no local-part, substitute the string "postmaster"".
  if (identity.local_part.empty()) identity.local_part = "postmaster";
  identity.sender = identity.local_part + "@" + identity.sender_domain;
  identity.helo = std::string(helo);
  identity.receiver = std::string(receiver);
  identity.now = now.value_or(0);
  verdict.sender = identity.sender;
  auto ip = ParseSpfClientIp(client_ip);
  if (!ip) {
    verdict.result = SpfResult::kNone;
    verdict.reason = "no usable client IP address";
    return verdict;
  }
  identity.ip = *ip;
  SpfEvaluator evaluator(identity, resolver, options);
  SpfOutcome outcome = evaluator.Run(domain);
  verdict.result = outcome.result;
  verdict.reason = std::move(outcome.reason);
  verdict.explanation = std::move(outcome.explanation);
  verdict.dns_mechanisms = outcome.dns_terms;
  verdict.dns_queries = outcome.dns_queries;
  return verdict;
}

}  // namespace

std::string_view ToToken(SpfResult result) {
  switch (result) {
    case SpfResult::kNone:
      return "none";
    case SpfResult::kNeutral:
      return "neutral";
    case SpfResult::kPass:
      return "pass";
    case SpfResult::kFail:
      return "fail";
    case SpfResult::kSoftFail:
      return "softfail";
    case SpfResult::kTempError:
      return "temperror";
    case SpfResult::kPermError:
      return "permerror";
  }
  return "none";
}

SpfVerdict CheckSpf(const SpfRequest& request, dns::Resolver& resolver, const SpfOptions& options) {
  std::string_view mail_from = request.mail_from;
  std::string domain;
  std::string sender;
  bool helo_identity = mail_from.empty();
  if (helo_identity) {
    // §2.4: the null reverse-path: check the HELO identity, sender "postmaster@" HELO.
    domain = request.helo;
    sender = "postmaster@" + request.helo;
  } else if (size_t at = mail_from.rfind('@'); at != std::string_view::npos) {
    domain = std::string(mail_from.substr(at + 1));
    sender = std::string(mail_from);
  } else {
    domain = request.helo;
    sender = std::string(mail_from) + "@" + request.helo;
  }
  SpfVerdict verdict = Check(request.client_ip, domain, sender, request.helo, resolver, options,
                             request.receiver, request.now);
  verdict.identity = helo_identity ? "helo" : "mailfrom";
  return verdict;
}

SpfVerdict CheckHost(std::string_view client_ip, std::string_view domain, std::string_view sender,
                     std::string_view helo, dns::Resolver& resolver, const SpfOptions& options,
                     std::string_view receiver, std::optional<int64_t> now) {
  SpfVerdict verdict = Check(client_ip, domain, sender, helo, resolver, options, receiver, now);
  // The caller chose the identity; HELO checks are those of the HELO name itself.
  bool helo_identity = !helo.empty() && dns::NormalizeName(domain) == dns::NormalizeName(helo) &&
                       sender.starts_with("postmaster@");
  verdict.identity = helo_identity ? "helo" : "mailfrom";
  return verdict;
}

}  // namespace kenin::policy
