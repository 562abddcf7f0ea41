#include "policy/dmarc_alignment.h"

#include "dns/resolver.h"

namespace kenin::policy {
namespace {

AlignmentCheck Check(const std::string& author, std::string_view identifier, Alignment mode,
                     OrgDomains& orgs, std::vector<std::string>& undecided) {
  AlignmentCheck check = CheckAlignment(author, identifier, mode, orgs);
  if (check == AlignmentCheck::kUnknown) {
    std::string name = dns::NormalizeName(identifier);
    std::string why = orgs.FailureOf(name);
    if (why.empty()) why = orgs.FailureOf(author);
    undecided.push_back(name + " (" + why + ")");
  }
  return check;
}

}  // namespace

AlignmentCheck CheckAlignment(const std::string& author, std::string_view identifier,
                              Alignment mode, OrgDomains& orgs) {
  std::string name = dns::NormalizeName(identifier);
  if (name.empty()) return AlignmentCheck::kNotAligned;
  // RFC 9989 §4.4: "Domain name comparisons in this context are case-insensitive".
  if (name == author) return AlignmentCheck::kAligned;
  if (mode == Alignment::kStrict) return AlignmentCheck::kNotAligned;
  // §4.10.2: relaxed alignment compares Organizational Domains, each by its own walk.
  std::optional<std::string> author_org = orgs.Of(author);
  std::optional<std::string> identifier_org = orgs.Of(name);
  if (!author_org || !identifier_org) return AlignmentCheck::kUnknown;
  return *author_org == *identifier_org ? AlignmentCheck::kAligned : AlignmentCheck::kNotAligned;
}

AlignmentOutcome EvaluateAlignment(const DmarcInput& input, const std::string& author,
                                   const DmarcRecord& record, OrgDomains& orgs) {
  AlignmentOutcome outcome;
  for (const DkimResultForDmarc& signature : input.dkim) {
    if (signature.result != verifier::DkimResult::kPass) continue;
    if (Check(author, signature.domain, record.adkim, orgs, outcome.undecided) ==
        AlignmentCheck::kAligned) {
      outcome.dkim_aligned = true;
      break;
    }
  }
  if (input.spf == SpfResult::kPass) {
    outcome.spf_aligned = Check(author, input.spf_domain, record.aspf, orgs, outcome.undecided) ==
                          AlignmentCheck::kAligned;
  }
  if (outcome.aligned()) return outcome;
  // A DNS failure inside DKIM or SPF leaves their verdict open, as one inside the alignment
  // check does: an aligned identifier that could not be checked might have passed.
  auto could_align = [&](std::string_view identifier, Alignment mode) {
    return CheckAlignment(author, identifier, mode, orgs) != AlignmentCheck::kNotAligned;
  };
  for (const DkimResultForDmarc& signature : input.dkim) {
    if (signature.result == verifier::DkimResult::kTempError &&
        could_align(signature.domain, record.adkim)) {
      outcome.temporarily_failed.push_back("DKIM d=" + dns::NormalizeName(signature.domain));
    }
  }
  if (input.spf == SpfResult::kTempError && could_align(input.spf_domain, record.aspf)) {
    outcome.temporarily_failed.push_back("SPF " + dns::NormalizeName(input.spf_domain));
  }
  return outcome;
}

}  // namespace kenin::policy
