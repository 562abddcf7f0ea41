// The mechanisms of RFC 7208 §5, each answering match / no match / temperror / permerror.
// DNS errors follow §5: for a, mx, exists and include an error (timeout, RCODE other than 0
// or 3) makes the whole check "temperror"; NXDOMAIN is "no answers". "ptr" is the
// exception (§5.5): a failed PTR lookup is no match, a failed address lookup skips that
// name. A target name that expands to something no DNS query can carry (an empty label,
// a label over 63 octets) is no match (§4.8, the suite's invalid-domain-* cases).
#include "policy/spf_eval.h"

namespace kenin::policy {
namespace {

// "10 mail.example.com." -> "mail.example.com"; "" for the null MX "0 ." (RFC 7505).
std::string MxHost(const dns::Record& record) {
  if (record.strings.empty()) return {};
  std::string_view text = record.strings[0];
  size_t space = text.find(' ');
  std::string_view host = space == std::string_view::npos ? text : text.substr(space + 1);
  while (!host.empty() && host.front() == ' ') host.remove_prefix(1);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return std::string(host);
}

}  // namespace

std::optional<SpfEvaluator::MatchResult> SpfEvaluator::CountTerm() {
  // §4.6.4: "SPF implementations MUST limit the total number of those terms to 10 during
  // SPF evaluation ... If this limit is exceeded, the implementation MUST return permerror".
  if (++terms_ <= options_.max_dns_mechanisms) return std::nullopt;
  return MatchResult{Match::kPermError, "more than " + std::to_string(options_.max_dns_mechanisms) +
                                            " DNS-querying terms"};
}

std::optional<SpfEvaluator::MatchResult> SpfEvaluator::CountVoid() {
  // §4.6.4: "SPF implementations SHOULD limit "void lookups" to two."
  if (++voids_ <= options_.max_void_lookups) return std::nullopt;
  return MatchResult{Match::kPermError,
                     "more than " + std::to_string(options_.max_void_lookups) + " void lookups"};
}

SpfEvaluator::MatchResult SpfEvaluator::MatchMechanism(const SpfMechanism& mech,
                                                       std::string_view domain) {
  switch (mech.kind) {
    case SpfMechanismKind::kAll:
      return {Match::kMatch, {}};  // §5.1
    case SpfMechanismKind::kIp4:   // §5.6
      return {
          InSpfNetwork(identity_.ip, mech.network, mech.cidr4) ? Match::kMatch : Match::kNoMatch,
          {}};
    case SpfMechanismKind::kIp6:
      return {
          InSpfNetwork(identity_.ip, mech.network, mech.cidr6) ? Match::kMatch : Match::kNoMatch,
          {}};
    case SpfMechanismKind::kInclude:
      return MatchInclude(mech, domain);
    case SpfMechanismKind::kA:
      return MatchA(mech, domain);
    case SpfMechanismKind::kMx:
      return MatchMx(mech, domain);
    case SpfMechanismKind::kPtr:
      return MatchPtr(mech, domain);
    case SpfMechanismKind::kExists:
      return MatchExists(mech, domain);
  }
  return {Match::kPermError, "unknown mechanism"};
}

SpfEvaluator::MatchResult SpfEvaluator::MatchInclude(const SpfMechanism& mech,
                                                     std::string_view domain) {
  std::optional<std::string> target = Target(mech.domain_spec, domain);
  if (!target) return {Match::kPermError, mech.text + ": target is not a usable domain"};
  if (InChain(*target)) return {Match::kPermError, "include loop at " + *target};
  HostResult inner = CheckHost(*target);
  // §5.2 table: pass matches; fail, softfail, neutral do not; temperror and permerror
  // propagate; none becomes permerror.
  switch (inner.result) {
    case SpfResult::kPass:
      return {Match::kMatch, {}};
    case SpfResult::kFail:
    case SpfResult::kSoftFail:
    case SpfResult::kNeutral:
      return {Match::kNoMatch, {}};
    case SpfResult::kTempError:
      return {Match::kTempError, std::move(inner.reason)};
    case SpfResult::kPermError:
      return {Match::kPermError, std::move(inner.reason)};
    case SpfResult::kNone:
      break;
  }
  return {Match::kPermError, "include:" + *target + ": " + inner.reason};
}

bool SpfEvaluator::MatchesAny(const SpfDnsAnswer& answer, const SpfMechanism& mech) const {
  const SpfAddress& ip = identity_.ip;
  for (const SpfAddress& address : SpfAddressesOf(answer, ip.v6)) {
    if (InSpfNetwork(ip, address, ip.v6 ? mech.cidr6 : mech.cidr4)) return true;
  }
  return false;
}

SpfEvaluator::MatchResult SpfEvaluator::MatchA(const SpfMechanism& mech, std::string_view domain) {
  std::optional<std::string> target = Target(mech.domain_spec, domain);
  if (!target) return {Match::kNoMatch, {}};
  // §5.3: an address lookup of the client's family (IPv4-mapped clients are IPv4, §5).
  dns::RecordType type = identity_.ip.v6 ? dns::RecordType::kAaaa : dns::RecordType::kA;
  SpfDnsAnswer answer = dns_.Get(*target, type);
  if (answer.status == SpfDnsStatus::kError) {
    return {Match::kTempError,
            answer.error + " for " + std::string(dns::ToString(type)) + " " + *target};
  }
  if (answer.status == SpfDnsStatus::kVoid) return CountVoid().value_or(MatchResult{});
  return {MatchesAny(answer, mech) ? Match::kMatch : Match::kNoMatch, {}};
}

SpfEvaluator::MatchResult SpfEvaluator::MatchMx(const SpfMechanism& mech, std::string_view domain) {
  std::optional<std::string> target = Target(mech.domain_spec, domain);
  if (!target) return {Match::kNoMatch, {}};
  SpfDnsAnswer answer = dns_.Get(*target, dns::RecordType::kMx);
  if (answer.status == SpfDnsStatus::kError) {
    return {Match::kTempError, answer.error + " for MX " + *target};
  }
  if (answer.status == SpfDnsStatus::kVoid) return CountVoid().value_or(MatchResult{});
  std::vector<std::string> hosts;
  for (const dns::Record& record : answer.records) {
    std::string host = MxHost(record);
    if (!host.empty()) hosts.push_back(std::move(host));  // RFC 7505 null MX: no host
  }
  // §4.6.4: "the evaluation of each "MX" record MUST NOT result in querying more than 10
  // address records ... If this limit is exceeded, the "mx" mechanism MUST produce a
  // "permerror" result." Judged on the count, so the result does not depend on DNS order.
  if (static_cast<int>(hosts.size()) > options_.max_mx_names) {
    return {Match::kPermError,
            "more than " + std::to_string(options_.max_mx_names) + " MX hosts at " + *target};
  }
  dns::RecordType type = identity_.ip.v6 ? dns::RecordType::kAaaa : dns::RecordType::kA;
  for (const std::string& host : hosts) dns_.Start(host, type);  // all in flight at once
  std::string error;
  for (const std::string& host : hosts) {
    SpfDnsAnswer addresses = dns_.Get(host, type);
    if (addresses.status == SpfDnsStatus::kError && error.empty()) {
      error = addresses.error + " for " + std::string(dns::ToString(type)) + " " + host;
    }
    if (MatchesAny(addresses, mech)) return {Match::kMatch, {}};
  }
  // A match on any host decides; otherwise an address lookup that failed is temperror (§5).
  if (!error.empty()) return {Match::kTempError, std::move(error)};
  return {Match::kNoMatch, {}};
}

SpfEvaluator::MatchResult SpfEvaluator::MatchPtr(const SpfMechanism& mech,
                                                 std::string_view domain) {
  std::optional<std::string> target = Target(mech.domain_spec, domain);
  if (!target) return {Match::kNoMatch, {}};
  const SpfDnsAnswer& answer = ptr_.Answer();
  // §5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism fails
  // to match."
  if (answer.status == SpfDnsStatus::kError) return {Match::kNoMatch, {}};
  if (answer.status == SpfDnsStatus::kVoid) return CountVoid().value_or(MatchResult{});
  // §5.5: validated names that are the target or end in it. Only names that could match
  // are validated: the same answer as validating all of them first, with fewer queries.
  std::vector<std::string> candidates;
  for (const std::string& name : ptr_.Names()) {
    if (SpfNameWithin(name, *target)) candidates.push_back(name);
  }
  return {ptr_.Validate(candidates).empty() ? Match::kNoMatch : Match::kMatch, {}};
}

SpfEvaluator::MatchResult SpfEvaluator::MatchExists(const SpfMechanism& mech,
                                                    std::string_view domain) {
  std::optional<std::string> target = Target(mech.domain_spec, domain);
  if (!target) return {Match::kNoMatch, {}};
  // §5.7: always an A query, whatever the client's address family.
  SpfDnsAnswer answer = dns_.Get(*target, dns::RecordType::kA);
  if (answer.status == SpfDnsStatus::kError) {
    return {Match::kTempError, answer.error + " for A " + *target};
  }
  if (answer.status == SpfDnsStatus::kVoid) return CountVoid().value_or(MatchResult{});
  return {Match::kMatch, {}};
}

}  // namespace kenin::policy
