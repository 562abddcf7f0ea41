// RFC 9989 §4.10, the walk:
//   1-2. query the start name; a single DMARC record with psd=y or psd=n stops the walk
//   3-4. x = label count; if x < 8 drop the leftmost label, else keep the rightmost 7
//   5-7. query, stop on psd=y/n, drop one more label, until no labels remain
// The shortcut in step 4 bounds the walk at 8 queries whatever the name's length (§4.10:
// "Author Domains with more than eight labels do not result in more than eight DNS
// queries"); names in between are never asked, so a record there is never seen (§5.1.8).
#include "policy/dmarc_tree_walk.h"

#include <algorithm>

namespace kenin::policy {

size_t LabelCount(std::string_view domain) {
  if (domain.empty()) return 0;
  return static_cast<size_t>(std::count(domain.begin(), domain.end(), '.')) + 1;
}

std::string LastLabels(std::string_view domain, size_t labels) {
  size_t total = LabelCount(domain);
  if (labels >= total) return std::string(domain);
  size_t pos = 0;
  for (size_t skip = total - labels; skip > 0; --skip) pos = domain.find('.', pos) + 1;
  return std::string(domain.substr(pos));
}

std::vector<std::string> TreeWalkTargets(std::string_view domain, int max_labels) {
  std::vector<std::string> targets;
  size_t x = LabelCount(domain);
  if (x == 0 || max_labels < 1) return targets;
  targets.emplace_back(domain);
  size_t limit = static_cast<size_t>(max_labels) - 1;
  for (size_t labels = std::min(x - 1, limit); labels >= 1; --labels) {
    targets.push_back(LastLabels(domain, labels));
  }
  return targets;
}

TreeWalk WalkTree(const std::string& start, DmarcLookups& lookups, int max_labels) {
  TreeWalk walk;
  walk.start = start;
  for (const std::string& target : TreeWalkTargets(start, max_labels)) {
    const DmarcAtName& at = lookups.At(target);
    if (at.kind == DmarcAtName::Kind::kDnsError) {
      walk.complete = false;
      walk.error = "_dmarc." + target + ": " + at.detail;
      return walk;
    }
    // §4.10 step 2/6: several DMARC records at one name are all discarded.
    if (at.kind != DmarcAtName::Kind::kOne) continue;
    walk.found.push_back({target, at.record});
    char psd = walk.found.back().psd();
    if (psd == 'y' || psd == 'n') return walk;  // "If a single record remains ... stop."
  }
  return walk;
}

std::optional<std::string> OrganizationalDomain(const TreeWalk& walk) {
  if (!walk.complete) return std::nullopt;
  // "If this process does not determine the Organizational Domain, then the initial target
  // domain is the Organizational Domain."
  if (walk.found.empty()) return walk.start;
  // The walk stops at the first psd=y/n record, so only the last one found can carry either.
  const TreeWalk::Found& last = walk.found.back();
  // Rule 1: psd=n marks the Organizational Domain itself.
  if (last.psd() == 'n') return last.domain;
  // Rule 2: psd=y marks a PSD; the Organizational Domain is one label below it, on the path
  // to the start domain. The start's own psd=y does not count (nothing lies below it).
  if (last.psd() == 'y' && last.domain != walk.start) {
    return LastLabels(walk.start, LabelCount(last.domain) + 1);
  }
  // Rule 3: the record at the name with the fewest labels.
  return last.domain;
}

}  // namespace kenin::policy
