// Policy discovery. RFC 9989 §4.10.1 lists where the record to apply may be, best first:
// the Author Domain, its Organizational Domain, its Public Suffix Domain. One tree walk from
// the Author Domain answers all three: its first query is the Author Domain's own record,
// and the records it finds above decide the Organizational Domain (§4.10.2) and reveal a
// PSD (psd=y). A record at a name between the Author Domain and the Organizational Domain
// is none of the three and is not applied (§4.7 sp: "sp will be ignored for DMARC Policy
// Records published on subdomains of Organizational Domains"; Appendix B.4.2).
// RFC 7489 §6.6.3 asks two names only, and several records at either end discovery.
#include "policy/dmarc_discovery.h"

#include <algorithm>

#include "policy/public_suffix.h"

namespace kenin::policy {
namespace {

using Status = PolicyDiscovery::Status;
using Kind = DmarcAtName::Kind;

PolicyDiscovery TempError(PolicyDiscovery discovery, std::string reason) {
  discovery.status = Status::kTempError;
  discovery.reason = "DNS failure at " + std::move(reason);
  return discovery;
}

void Select(PolicyDiscovery& discovery, const std::string& domain, const DmarcAtName& at,
            bool from_parent) {
  discovery.status = Status::kFound;
  discovery.policy_domain = domain;
  discovery.record = at.record;
  discovery.from_parent = from_parent;
  if (!at.record) {
    discovery.reason = "DMARC record at _dmarc." + domain + " is invalid: " + at.detail;
  }
}

void NoRecord(PolicyDiscovery& discovery, const std::string& domain, const DmarcAtName& at) {
  discovery.status = Status::kNone;
  discovery.reason = at.kind == Kind::kMultiple
                         ? "several DMARC records at _dmarc." + domain + ", not applied"
                         : "no DMARC record";
}

PolicyDiscovery DiscoverByTreeWalk(const std::string& author, DmarcLookups& lookups,
                                   OrgDomains& orgs) {
  PolicyDiscovery discovery;
  const TreeWalk& walk = orgs.Walk(author);  // its first query is _dmarc.<author>
  discovery.org_domain = OrganizationalDomain(walk);
  const DmarcAtName& own = lookups.At(author);
  if (own.kind == Kind::kDnsError) {
    return TempError(std::move(discovery), "_dmarc." + author + ": " + own.detail);
  }
  if (own.kind == Kind::kOne) {
    Select(discovery, author, own, /*from_parent=*/false);
    return discovery;
  }
  // §4.10.2: without the whole walk the Organizational Domain, hence the policy, is unknown.
  if (!walk.complete) return TempError(std::move(discovery), walk.error);
  for (const TreeWalk::Found& found : walk.found) {
    if (found.domain == *discovery.org_domain) {
      Select(discovery, found.domain, lookups.At(found.domain), /*from_parent=*/true);
      return discovery;
    }
  }
  // No record at the Organizational Domain: the PSD's record applies, if one was found.
  for (const TreeWalk::Found& found : walk.found) {
    if (found.psd() == 'y') {
      Select(discovery, found.domain, lookups.At(found.domain), /*from_parent=*/true);
      return discovery;
    }
  }
  NoRecord(discovery, author, own);
  return discovery;
}

PolicyDiscovery DiscoverByPsl(const std::string& author, DmarcLookups& lookups, OrgDomains& orgs) {
  PolicyDiscovery discovery;
  discovery.org_domain = orgs.Of(author);
  // RFC 7489 §6.6.3 steps 1-2: the Author Domain's records, non-DMARC ones discarded.
  const DmarcAtName& own = lookups.At(author);
  if (own.kind == Kind::kDnsError) {
    return TempError(std::move(discovery), "_dmarc." + author + ": " + own.detail);
  }
  if (own.kind == Kind::kOne) {
    Select(discovery, author, own, /*from_parent=*/false);
    return discovery;
  }
  // Step 5: several records end discovery; DMARC is not applied.
  if (own.kind == Kind::kMultiple || *discovery.org_domain == author) {
    NoRecord(discovery, author, own);
    return discovery;
  }
  // Step 3: an empty set sends the query to the Organizational Domain.
  const std::string org = *discovery.org_domain;
  const DmarcAtName& above = lookups.At(org);
  if (above.kind == Kind::kDnsError) {
    return TempError(std::move(discovery), "_dmarc." + org + ": " + above.detail);
  }
  if (above.kind == Kind::kOne) {
    Select(discovery, org, above, /*from_parent=*/true);
  } else {
    NoRecord(discovery, org, above);
  }
  return discovery;
}

}  // namespace

const TreeWalk& OrgDomains::Walk(const std::string& domain) {
  auto it = walks_.find(domain);
  if (it != walks_.end()) return it->second;
  return walks_.emplace(domain, WalkTree(domain, lookups_, options_.max_tree_walk_labels))
      .first->second;
}

std::optional<std::string> OrgDomains::Of(const std::string& domain) {
  if (options_.mode == DmarcMode::kRfc7489) {
    return options_.public_suffixes->OrganizationalDomain(domain);
  }
  return OrganizationalDomain(Walk(domain));
}

std::string OrgDomains::FailureOf(const std::string& domain) {
  if (options_.mode == DmarcMode::kRfc7489) return "";
  return Walk(domain).error;
}

PolicyDiscovery DiscoverPolicy(const std::string& author, DmarcLookups& lookups, OrgDomains& orgs,
                               const DmarcOptions& options) {
  if (options.mode == DmarcMode::kRfc7489) return DiscoverByPsl(author, lookups, orgs);
  return DiscoverByTreeWalk(author, lookups, orgs);
}

std::vector<std::string> DmarcPrefetchDomains(const std::string& author,
                                              const std::vector<std::string>& identifiers,
                                              const DmarcOptions& options) {
  std::vector<std::string> domains;
  auto add = [&domains](std::string domain) {
    if (domain.empty()) return;
    if (std::find(domains.begin(), domains.end(), domain) == domains.end()) {
      domains.push_back(std::move(domain));
    }
  };
  const std::string from = dns::NormalizeName(author);
  if (options.mode == DmarcMode::kRfc7489) {
    add(from);
    if (options.public_suffixes != nullptr) add(options.public_suffixes->OrganizationalDomain(from));
    return domains;  // identifiers' Organizational Domains come from the list, not DNS
  }
  for (std::string& target : TreeWalkTargets(from, options.max_tree_walk_labels)) {
    add(std::move(target));
  }
  for (const std::string& identifier : identifiers) {
    for (std::string& target :
         TreeWalkTargets(dns::NormalizeName(identifier), options.max_tree_walk_labels)) {
      add(std::move(target));
    }
  }
  return domains;
}

}  // namespace kenin::policy
