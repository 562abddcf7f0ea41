// check_host() as RFC 7208 §4 describes it, one record at a time:
//
//   §4.3 the <domain> must be a usable name, else "none";
//   §4.4 TXT lookup: an error is "temperror", NXDOMAIN "none";
//   §4.5 exactly one record starting "v=spf1": none is "none", more are "permerror";
//   §4.6 the whole record is parsed first, so a syntax error anywhere is "permerror";
//        then mechanisms left to right, the first match giving the result by qualifier;
//   §6.1 no match and no "all": redirect= replaces the whole result ("none" -> permerror);
//   §4.7 otherwise "neutral".
//
// Limits (§4.6.4) are counted as terms are evaluated, not up front: the 11th DNS-querying
// term (include a mx ptr exists redirect) or the 3rd void lookup is "permerror". An
// include or redirect back to a domain already being evaluated would recurse until the
// term limit; it is reported as a loop at once, with the same result, "permerror".
// The explanation (§6.2) is looked up only once the final result is known to be "fail",
// from the exp= of the record whose mechanism decided it (not an included record's, not a
// record that redirected), and any failure to get it is ignored.
#include "policy/spf_eval.h"

#include <algorithm>

namespace kenin::policy {
namespace {

SpfResult FromQualifier(SpfQualifier qualifier) {
  switch (qualifier) {
    case SpfQualifier::kPass:
      return SpfResult::kPass;
    case SpfQualifier::kFail:
      return SpfResult::kFail;
    case SpfQualifier::kSoftFail:
      return SpfResult::kSoftFail;
    case SpfQualifier::kNeutral:
      return SpfResult::kNeutral;
  }
  return SpfResult::kNeutral;
}

std::string Joined(const dns::Record& record) {
  std::string out;
  for (const std::string& s : record.strings) out += s;  // §3.3: no separator
  return out;
}

}  // namespace

bool IsSpfCheckableDomain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty() || domain.size() > 253 || domain.front() == '[') return false;
  int labels = 0;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    size_t end = dot == std::string_view::npos ? domain.size() : dot;
    if (end == start || end - start > 63) return false;  // §4.3: empty or long label
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (char c : domain) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return labels >= 2;  // §4.3: "not a multi-label domain name" -> none
}

SpfOutcome SpfEvaluator::Run(std::string_view domain) {
  HostResult host = CheckHost(domain);
  SpfOutcome out;
  out.result = host.result;
  out.reason = std::move(host.reason);
  if (host.result == SpfResult::kFail && host.exp) out.explanation = Explain(*host.exp);
  out.dns_terms = terms_;
  out.dns_queries = dns_.queries();
  return out;
}

SpfEvaluator::HostResult SpfEvaluator::CheckHost(std::string_view domain) {
  if (!IsSpfCheckableDomain(domain)) {
    return {
        SpfResult::kNone, "'" + std::string(domain.substr(0, 80)) + "' is not a usable domain", {}};
  }
  auto record = FetchRecord(domain);
  if (!record) return std::move(record.error());
  chain_.push_back(dns::NormalizeName(domain));
  HostResult result = Evaluate(*record, domain);
  chain_.pop_back();
  return result;
}

tl::expected<SpfRecord, SpfEvaluator::HostResult> SpfEvaluator::FetchRecord(
    std::string_view domain) {
  using Unexpected = tl::unexpected<HostResult>;
  std::string name(domain);
  SpfDnsAnswer answer = dns_.Get(name, dns::RecordType::kTxt);
  if (answer.status == SpfDnsStatus::kError) {  // §4.4
    return Unexpected(HostResult{SpfResult::kTempError, answer.error + " for TXT " + name, {}});
  }
  if (answer.nxdomain) {
    return Unexpected(HostResult{SpfResult::kNone, name + " does not exist", {}});
  }
  std::vector<std::string> records;
  for (const dns::Record& txt : answer.records) {
    std::string text = Joined(txt);
    if (IsSpfRecord(text)) records.push_back(std::move(text));
  }
  if (records.empty()) {
    return Unexpected(HostResult{SpfResult::kNone, "no SPF record at " + name, {}});
  }
  if (records.size() > 1) {  // §4.5
    return Unexpected(HostResult{SpfResult::kPermError, "more than one SPF record at " + name, {}});
  }
  auto parsed = ParseSpfRecord(records.front());
  if (!parsed) {
    return Unexpected(HostResult{
        SpfResult::kPermError, "SPF record of " + name + ": " + parsed.error().detail, {}});
  }
  return std::move(*parsed);
}

SpfEvaluator::HostResult SpfEvaluator::Evaluate(const SpfRecord& record, std::string_view domain) {
  for (const SpfMechanism& mech : record.mechanisms) {
    if (mech.QueriesDns()) {
      if (auto limit = CountTerm()) return {SpfResult::kPermError, limit->reason, {}};
    }
    MatchResult m = MatchMechanism(mech, domain);
    switch (m.match) {
      case Match::kNoMatch:
        continue;
      case Match::kTempError:
        return {SpfResult::kTempError, std::move(m.reason), {}};
      case Match::kPermError:
        return {SpfResult::kPermError, std::move(m.reason), {}};
      case Match::kMatch:
        break;
    }
    HostResult out{FromQualifier(mech.qualifier), "matched " + mech.text, {}};
    if (record.exp) out.exp = ExpSource{*record.exp, std::string(domain)};
    return out;
  }
  // §6.1 / §5.1: redirect only when nothing matched, and never when "all" is present.
  if (record.redirect && !record.has_all) return Redirect(*record.redirect, domain);
  return {SpfResult::kNeutral, "no mechanism matched", {}};  // §4.7
}

SpfEvaluator::HostResult SpfEvaluator::Redirect(std::string_view spec, std::string_view domain) {
  if (auto limit = CountTerm()) return {SpfResult::kPermError, limit->reason, {}};
  std::optional<std::string> target = Target(spec, domain);
  // §6.1: "if the <target-name> is malformed, the result is a "permerror" rather than "none"".
  if (!target || !IsSpfCheckableDomain(*target)) {
    return {SpfResult::kPermError, "redirect target is not a usable domain", {}};
  }
  if (InChain(*target)) return {SpfResult::kPermError, "redirect loop at " + *target, {}};
  HostResult result = CheckHost(*target);
  if (result.result == SpfResult::kNone) {  // §6.1: "none" from the target is "permerror"
    return {SpfResult::kPermError, "redirect=" + *target + ": " + result.reason, {}};
  }
  return result;
}

std::string SpfEvaluator::Explain(const ExpSource& exp) {
  // §6.2: on any failure (bad name, DNS error, not exactly one record, bad syntax, non-ASCII)
  // "proceed as if no exp modifier was given".
  std::optional<std::string> target = Target(exp.spec, exp.domain);
  if (!target) return {};
  SpfDnsAnswer answer = dns_.Get(*target, dns::RecordType::kTxt);
  if (answer.status != SpfDnsStatus::kFound || answer.records.size() != 1) return {};
  std::string text = Joined(answer.records.front());
  SpfMacroValues values = Values(exp.domain, text);
  return ExpandSpfMacros(text, values, SpfMacroContext::kExplanation).value_or("");
}

std::optional<std::string> SpfEvaluator::Target(std::string_view spec, std::string_view domain) {
  if (spec.empty()) return SpfTargetName(domain);
  SpfMacroValues values = Values(domain, spec);
  std::optional<std::string> expanded = ExpandSpfMacros(spec, values, SpfMacroContext::kDomain);
  if (!expanded) return std::nullopt;
  return SpfTargetName(*expanded);
}

SpfMacroValues SpfEvaluator::Values(std::string_view domain, std::string_view macro_text) {
  // %{p} costs DNS queries (§5.5), so it is found only for strings that use it.
  validated_name_ = UsesSpfPtrMacro(macro_text) ? ptr_.ValidatedName(domain) : "unknown";
  SpfMacroValues values;
  values.sender = identity_.sender;
  values.local_part = identity_.local_part;
  values.sender_domain = identity_.sender_domain;
  values.domain = domain;
  values.helo = identity_.helo;
  values.receiver = identity_.receiver;
  values.validated_name = validated_name_;
  values.ip = identity_.ip;
  values.now = identity_.now;
  return values;
}

bool SpfEvaluator::InChain(std::string_view domain) const {
  return std::find(chain_.begin(), chain_.end(), dns::NormalizeName(domain)) != chain_.end();
}

}  // namespace kenin::policy
