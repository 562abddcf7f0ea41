// DMARC evaluation, in the order of RFC 9989 §5.3 (RFC 7489 §6.6):
//   1. the Author Domain: exactly one From field with one domain, else permerror (§5.3.1);
//   2. policy discovery (policy/dmarc_discovery.h): no record -> none, DNS failure ->
//      temperror; a selected record that cannot be used -> none (DMARC not applied);
//   3. alignment of each DKIM pass (adkim) and the SPF pass (aspf): any -> pass;
//      otherwise fail, or temperror when a DNS failure left an alignment undecided or an
//      aligned DKIM or SPF check ended in temperror;
//   4. the policy tag (p, sp or np) and, for fail only, the disposition: t=y (RFC 9989) or
//      an unsampled pct (RFC 7489 mode) makes it one level less strict.
#include "policy/dmarc.h"

#include <random>

#include "policy/dmarc_alignment.h"
#include "policy/dmarc_discovery.h"
#include "policy/from_domain.h"

namespace kenin::policy {
namespace {

DmarcVerdict Conclude(DmarcVerdict verdict, DmarcResult result, std::string reason) {
  verdict.result = result;
  verdict.reason = std::move(reason);
  if (result != DmarcResult::kFail) verdict.disposition = Disposition::kNone;
  return verdict;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

// RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6): a record without a valid p, or with an invalid
// sp (or, RFC 9989 only, np), is used as if it said p=none when its rua holds a valid URI;
// otherwise DMARC is not applied. RFC 9989 §4.7 p: a record with no p tag at all is treated
// as p=none. "As if p=none": p becomes none and sp/np are dropped, so none applies to every
// name; alignment modes and report tags stay as published. nullopt + `why`: not applied.
std::optional<DmarcRecord> MakeUsable(const DmarcRecord& record, DmarcMode mode, std::string& why) {
  const bool rfc9989 = mode == DmarcMode::kRfc9989;
  std::vector<std::string> problems;
  if (record.HasInvalid("p")) problems.push_back("invalid p");
  if (!record.p && !record.HasInvalid("p") && !rfc9989) problems.push_back("no p");
  if (record.HasInvalid("sp")) problems.push_back("invalid sp");
  if (rfc9989 && record.HasInvalid("np")) problems.push_back("invalid np");
  DmarcRecord usable = record;
  if (problems.empty()) {
    if (!usable.p) usable.p = Disposition::kNone;
    return usable;
  }
  if (!HasValidReportUri(record.rua)) {
    why = Join(problems) + " and no valid rua";
    return std::nullopt;
  }
  usable.p = Disposition::kNone;
  usable.sp.reset();
  usable.np.reset();
  return usable;
}

// RFC 9989 §4.10.1: the Author Domain's own record gives p. The Organizational Domain's or
// PSD's record gives np when the Author Domain does not exist, else sp, else p.
// RFC 7489 §6.3: sp for a subdomain of the Organizational Domain, else p (np is unknown there
// and the caller passes kExists).
std::string PolicyTag(const DmarcRecord& record, bool from_parent, Existence existence) {
  if (!from_parent) return "p";
  if (record.np && existence == Existence::kNonExistent) return "np";
  return record.sp ? "sp" : "p";
}

Disposition PolicyValue(const DmarcRecord& record, const std::string& tag) {
  if (tag == "np") return *record.np;
  if (tag == "sp") return *record.sp;
  return *record.p;
}

int RandomPercent() {
  std::random_device device;
  return std::uniform_int_distribution<int>(0, 99)(device);
}

Disposition Disposed(Disposition policy, const DmarcRecord& record, const DmarcOptions& options) {
  // t=y "has no effect on any policy ... that is none"; nor has pct.
  if (policy == Disposition::kNone) return policy;
  // RFC 9989 §4.7 t=y: "the policy applied to any failing messages will be one level below".
  if (options.mode == DmarcMode::kRfc9989) return record.testing ? OneLevelLess(policy) : policy;
  // RFC 7489 §6.6.4: a failing message outside the pct sample gets the next less severe
  // disposition (reject -> quarantine, quarantine -> none).
  if (record.pct >= 100) return policy;
  int roll = options.percent_roll ? options.percent_roll() : RandomPercent();
  return roll < record.pct ? policy : OneLevelLess(policy);
}

std::string FailReason(const DmarcInput& input, const std::string& author) {
  bool any_pass = input.spf == SpfResult::kPass;
  for (const DkimResultForDmarc& signature : input.dkim) {
    any_pass = any_pass || signature.result == verifier::DkimResult::kPass;
  }
  return any_pass ? "no DKIM or SPF pass aligned with " + author : "no DKIM or SPF pass";
}

DmarcVerdict Apply(DmarcVerdict verdict, const DmarcInput& input, const DmarcRecord& record,
                   bool from_parent, DmarcLookups& lookups, OrgDomains& orgs,
                   const DmarcOptions& options) {
  // A copy, not a reference: `verdict` is moved into Conclude() below in the same call whose
  // other arguments read `author`, and argument evaluation order is unspecified (clang moves
  // first, leaving a reference empty).
  const std::string author = verdict.from_domain;
  AlignmentOutcome alignment = EvaluateAlignment(input, author, record, orgs);
  verdict.dkim_aligned = alignment.dkim_aligned;
  verdict.spf_aligned = alignment.spf_aligned;
  Existence existence = Existence::kExists;
  if (options.mode == DmarcMode::kRfc9989 && from_parent && record.np) {
    existence = lookups.Exists(author);
  }
  verdict.policy_tag = PolicyTag(record, from_parent, existence);
  verdict.policy = PolicyValue(record, verdict.policy_tag);
  if (alignment.aligned()) return Conclude(std::move(verdict), DmarcResult::kPass, "");
  // RFC 9989 §5.3.6: with a required query incomplete the message neither passes nor fails.
  if (!alignment.undecided.empty()) {
    return Conclude(std::move(verdict), DmarcResult::kTempError,
                    "alignment undecided by DNS failure: " + Join(alignment.undecided));
  }
  if (existence == Existence::kUnknown) {
    return Conclude(std::move(verdict), DmarcResult::kTempError,
                    "DNS failure checking whether " + author + " exists (np)");
  }
  // The same for the checks DMARC reads: an aligned DKIM or SPF result that is temperror
  // (its key or record could not be fetched) might have been a pass. A fail here would let a
  // resolver hiccup reject a legitimate sender's mail under p=reject, permanently.
  if (!alignment.temporarily_failed.empty()) {
    return Conclude(std::move(verdict), DmarcResult::kTempError,
                    "no aligned pass, and temperror from " + Join(alignment.temporarily_failed));
  }
  verdict.disposition = Disposed(*verdict.policy, record, options);
  return Conclude(std::move(verdict), DmarcResult::kFail, FailReason(input, author));
}

}  // namespace

std::string_view ToToken(DmarcResult result) {
  switch (result) {
    case DmarcResult::kNone:
      return "none";
    case DmarcResult::kPass:
      return "pass";
    case DmarcResult::kFail:
      return "fail";
    case DmarcResult::kTempError:
      return "temperror";
    case DmarcResult::kPermError:
      return "permerror";
  }
  return "none";
}

DmarcVerdict EvaluateDmarc(const DmarcInput& input, dns::Resolver& resolver,
                           const DmarcOptions& options) {
  DmarcVerdict verdict;
  tl::expected<std::string, std::string> author = AuthorDomain(input.from_header_values);
  if (!author) return Conclude(std::move(verdict), DmarcResult::kPermError, author.error());
  verdict.from_domain = *author;
  if (options.mode == DmarcMode::kRfc7489 && options.public_suffixes == nullptr) {
    return Conclude(std::move(verdict), DmarcResult::kTempError,
                    "RFC 7489 mode has no Public Suffix List");
  }
  DmarcLookups lookups(resolver);
  OrgDomains orgs(lookups, options);
  PolicyDiscovery discovery = DiscoverPolicy(*author, lookups, orgs, options);
  verdict.org_domain = discovery.org_domain.value_or("");
  verdict.policy_domain = discovery.policy_domain;
  verdict.record = discovery.record;
  switch (discovery.status) {
    case PolicyDiscovery::Status::kTempError:
      return Conclude(std::move(verdict), DmarcResult::kTempError, discovery.reason);
    case PolicyDiscovery::Status::kNone:
      return Conclude(std::move(verdict), DmarcResult::kNone, discovery.reason);
    case PolicyDiscovery::Status::kFound:
      break;
  }
  // An invalid record (duplicate tags) or an unusable one: DMARC is not applied.
  if (!discovery.record) return Conclude(std::move(verdict), DmarcResult::kNone, discovery.reason);
  std::string why;
  std::optional<DmarcRecord> usable = MakeUsable(*discovery.record, options.mode, why);
  if (!usable) {
    return Conclude(std::move(verdict), DmarcResult::kNone,
                    "DMARC record at _dmarc." + discovery.policy_domain + " not applied: " + why);
  }
  return Apply(std::move(verdict), input, *usable, discovery.from_parent, lookups, orgs, options);
}

}  // namespace kenin::policy
