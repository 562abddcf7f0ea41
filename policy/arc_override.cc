#include "policy/arc_override.h"

#include "policy/auth_results_parser.h"
#include "verifier/canonicalize.h"

namespace kenin::policy {
namespace {

// A trailing dot is the same DNS name; configured and recorded names may carry one.
std::string_view Bare(std::string_view name) {
  return name.ends_with('.') ? name.substr(0, name.size() - 1) : name;
}

// The domain of "local@domain" (smtp.mailfrom, header.i), or the value itself.
std::string_view DomainOf(std::string_view identity) {
  const size_t at = identity.rfind('@');
  return at == std::string_view::npos ? identity : identity.substr(at + 1);
}

bool SameName(std::string_view a, std::string_view b) {
  return verifier::EqualsIgnoreCase(Bare(a), Bare(b));
}

// `domain` is `org` or a name below it (RFC 9989 §3.2.10 relaxed alignment).
bool WithinOrganization(std::string_view domain, std::string_view org) {
  domain = Bare(domain);
  org = Bare(org);
  if (org.empty() || domain.size() < org.size()) return false;
  if (domain.size() == org.size()) return verifier::EqualsIgnoreCase(domain, org);
  const std::string_view tail = domain.substr(domain.size() - org.size());
  return domain[domain.size() - org.size() - 1] == '.' && verifier::EqualsIgnoreCase(tail, org);
}

bool Aligned(std::string_view domain, const DmarcVerdict& dmarc, Alignment mode) {
  if (domain.empty()) return false;
  if (SameName(domain, dmarc.from_domain)) return true;
  return mode == Alignment::kRelaxed && WithinOrganization(domain, dmarc.org_domain);
}

std::string_view Property(const ParsedResinfo& item, const std::string& name) {
  auto found = item.properties.find(name);
  return found == item.properties.end() ? std::string_view() : std::string_view(found->second);
}

}  // namespace

bool SealerVouchesForAuthor(std::string_view aar_payload, const DmarcVerdict& dmarc) {
  if (dmarc.from_domain.empty()) return false;
  const auto parsed = ParseAuthResults(aar_payload);
  if (!parsed) return false;
  const Alignment adkim = dmarc.record ? dmarc.record->adkim : Alignment::kRelaxed;
  const Alignment aspf = dmarc.record ? dmarc.record->aspf : Alignment::kRelaxed;
  for (const ParsedResinfo& item : parsed->results) {
    if (item.result != "pass") continue;
    if (item.method == "dmarc") {
      const std::string_view from = Property(item, "header.from");
      if (from.empty() || SameName(from, dmarc.from_domain)) return true;
    } else if (item.method == "dkim") {
      std::string_view domain = Property(item, "header.d");
      if (domain.empty()) domain = DomainOf(Property(item, "header.i"));
      if (Aligned(domain, dmarc, adkim)) return true;
    } else if (item.method == "spf") {
      if (Aligned(DomainOf(Property(item, "smtp.mailfrom")), dmarc, aspf)) return true;
    }
  }
  return false;
}

std::optional<std::string> ArcOverrideSealer(const DmarcVerdict& dmarc,
                                             const arc::ArcVerdict& arc,
                                             std::span<const std::string> trusted_sealers) {
  if (dmarc.result != DmarcResult::kFail || arc.result != arc::ArcResult::kPass ||
      arc.sets.empty()) {
    return std::nullopt;
  }
  const arc::ArcSetInfo& newest = arc.sets.back();
  const std::string_view sealer = arc.sealer();
  if (sealer.empty()) return std::nullopt;
  for (const std::string& trusted : trusted_sealers) {
    if (!SameName(trusted, sealer)) continue;
    if (!SealerVouchesForAuthor(newest.auth_results, dmarc)) return std::nullopt;
    return verifier::ToLower(Bare(sealer));
  }
  return std::nullopt;
}

void ApplyArcOverride(DmarcVerdict& dmarc) { dmarc.disposition = Disposition::kNone; }

}  // namespace kenin::policy
