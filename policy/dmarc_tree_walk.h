// The DNS Tree Walk (RFC 9989 §4.10) and the Organizational Domain it yields (§4.10.2).
// A walk queries _dmarc.<name> for the start domain, then for its ancestors, at most
// `max_labels` names in all, and stops early at a single DMARC record carrying psd=y or
// psd=n. Pure over DmarcLookups; not thread-safe (neither is DmarcLookups).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/dmarc_lookup.h"

namespace kenin::policy {

// The names a full walk from `domain` queries, in order (§4.10 steps 3-7): the domain; then,
// when it has x labels, its rightmost min(x - 1, max_labels - 1) labels; then one label
// fewer each step, down to the top-level domain. At most max_labels names. For
// "a.b.c.d.e.f.g.h.i.j.mail.example.com" and 8: that name, "g.h.i.j.mail.example.com",
// "h.i.j.mail.example.com", ..., "example.com", "com".
std::vector<std::string> TreeWalkTargets(std::string_view domain, int max_labels);

struct TreeWalk {
  struct Found {
    std::string domain;                 // a name with exactly one DMARC record
    std::optional<DmarcRecord> record;  // nullopt when that record does not parse
    char psd() const { return record ? record->psd : 'u'; }
  };
  std::string start;
  std::vector<Found> found;  // longest name first
  bool complete = true;      // false when a lookup failed and cut the walk short
  std::string error;         // for !complete: "_dmarc.example.com: SERVFAIL"
};

// Runs the walk from `start` (normalized). A DNS failure stops it (complete = false): the
// names above might hold the psd= record that decides the Organizational Domain.
TreeWalk WalkTree(const std::string& start, DmarcLookups& lookups, int max_labels);

// §4.10.2: from the walk's records, longest to shortest: a psd=n record's domain; else one
// label below a psd=y record's domain (unless the psd=y record is the start's own); else the
// domain with the fewest labels that has a record; else the start domain itself.
// nullopt when the walk is incomplete.
std::optional<std::string> OrganizationalDomain(const TreeWalk& walk);

// The rightmost `labels` labels of `domain` ("mail.example.com", 2 -> "example.com").
std::string LastLabels(std::string_view domain, size_t labels);
size_t LabelCount(std::string_view domain);

}  // namespace kenin::policy
