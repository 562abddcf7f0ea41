// The header edits of one message, decided before any is made: which fields to delete and
// what to insert. RFC 8601 §5: Authentication-Results fields that carry our authserv-id and
// came with the message are forgeries and are removed; fields of other authserv-ids stay.
// The score header is ours alone, so every copy that came with the message goes too.
// Pure data and functions; Apply() makes the edits through an Mta.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "milter/mta.h"

namespace kenin::milter {

inline constexpr const char* kAuthResultsName = "Authentication-Results";

struct HeaderPlan {
  // (name, 1-based index among the fields of that name). Per name in descending index
  // order: deleting the last one first leaves the indexes of the earlier ones right.
  std::vector<std::pair<std::string, int>> deletions;
  // (name, value), each inserted at the top in this order, so the last ends first.
  std::vector<std::pair<std::string, std::string>> insertions;
};

// Deletions for the given indexes of one field name (any order, 1-based).
void PlanDeletions(const std::string& name, std::vector<int> indexes, HeaderPlan& plan);

// Deletes first, then inserts: an insertion before a deletion of the same name would shift
// the indexes the deletion was planned with. Returns false if the MTA refused any edit
// (the rest are still tried).
bool Apply(const HeaderPlan& plan, Mta& mta);

// The score as header text: "-3.0", "0.25" (at most two decimals, at least one).
std::string FormatScore(double score);

}  // namespace kenin::milter
