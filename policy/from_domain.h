// The Author Domain: the domain of the RFC5322.From mailboxes (RFC 5322 §3.6.2, §3.4;
// RFC 9989 §5.3.1). Parses display names, quoted strings, comments, angle addresses with
// obsolete routes, several mailboxes, and (although From may not hold one) group syntax.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace kenin::policy {

// The domains of every mailbox in one From field value, in order, ASCII lower-cased, one
// trailing dot removed; duplicates kept. Error text when the value is not a mailbox list
// (unbalanced quote/comment/bracket, a word with no address, an address literal, a bad
// domain) or holds no mailbox at all.
tl::expected<std::vector<std::string>, std::string> ParseFromDomains(std::string_view field_value);

// RFC 9989 §5.3.1: exactly one From field whose mailboxes all share one domain. Error text
// (the permerror reason) for zero or several fields, an unparseable field, or several
// distinct domains. Domains compare case-insensitively (RFC 4343).
tl::expected<std::string, std::string> AuthorDomain(const std::vector<std::string>& from_values);

}  // namespace kenin::policy
