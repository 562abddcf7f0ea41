// DMARC Policy Discovery and Organizational Domains, in both modes:
//   RFC 9989 (default): the Author Domain's record, else the record of its Organizational
//     Domain or Public Suffix Domain as found by the DNS Tree Walk (§4.10.1, §4.10.2).
//   RFC 7489: the Author Domain's record, else the record of its Organizational Domain from
//     the Public Suffix List (§6.6.3); no other name is asked.
// Not thread-safe: one OrgDomains per evaluation, over that evaluation's DmarcLookups.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "policy/dmarc.h"
#include "policy/dmarc_lookup.h"
#include "policy/dmarc_tree_walk.h"

namespace kenin::policy {

// The Organizational Domain of any domain during one evaluation, memoized.
// REQUIRES: options.public_suffixes != nullptr in RFC 7489 mode.
class OrgDomains {
 public:
  OrgDomains(DmarcLookups& lookups, const DmarcOptions& options)
      : lookups_(lookups), options_(options) {}

  // `domain` normalized. nullopt when a DNS failure left it undetermined (RFC 9989 mode).
  std::optional<std::string> Of(const std::string& domain);
  // The tree walk from `domain` (RFC 9989 mode), run once.
  const TreeWalk& Walk(const std::string& domain);
  // Why Of(domain) was nullopt.
  std::string FailureOf(const std::string& domain);

 private:
  DmarcLookups& lookups_;
  const DmarcOptions& options_;
  std::map<std::string, TreeWalk> walks_;
};

struct PolicyDiscovery {
  enum class Status { kFound, kNone, kTempError };
  Status status = Status::kNone;
  std::string reason;         // kNone, kTempError: why
  std::string policy_domain;  // kFound: where the selected record is published
  // kFound: the record; nullopt when it is a DMARC record that does not parse (`reason`).
  std::optional<DmarcRecord> record;
  // kFound: the record is the Organizational Domain's or the PSD's, not the Author Domain's
  // own, so sp/np may apply (RFC 9989 §4.10.1, RFC 7489 §6.3 sp).
  bool from_parent = false;
  std::optional<std::string> org_domain;  // of the Author Domain; nullopt if undetermined
};

// `author` normalized (lower case, no trailing dot).
PolicyDiscovery DiscoverPolicy(const std::string& author, DmarcLookups& lookups, OrgDomains& orgs,
                               const DmarcOptions& options);

}  // namespace kenin::policy
