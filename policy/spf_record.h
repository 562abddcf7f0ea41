// SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §12): the version check that selects a
// TXT record, and the parse of a whole record into mechanisms and modifiers. The whole
// record is checked before evaluation starts, so a syntax error anywhere is a permerror
// (§4.6: "any syntax errors anywhere in the record MUST be detected"). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "policy/spf_ip.h"

namespace kenin::policy {

// §4.6.2 qualifiers; the character is what a record writes.
enum class SpfQualifier : char { kPass = '+', kFail = '-', kSoftFail = '~', kNeutral = '?' };

enum class SpfMechanismKind { kAll, kInclude, kA, kMx, kPtr, kIp4, kIp6, kExists };

struct SpfMechanism {
  SpfQualifier qualifier = SpfQualifier::kPass;
  SpfMechanismKind kind = SpfMechanismKind::kAll;
  std::string domain_spec;  // unexpanded; empty: the current <domain> (a, mx, ptr)
  SpfAddress network;       // ip4, ip6
  int cidr4 = 32;           // a, mx, ip4 (§5.6 ip4-cidr-length)
  int cidr6 = 128;          // a, mx, ip6 (§5.6 ip6-cidr-length)
  std::string text;         // the term as written (at most 80 characters), for reasons

  // §4.6.4: the terms that cost DNS queries and count toward the limit of 10.
  bool QueriesDns() const;
};

struct SpfRecord {
  std::vector<SpfMechanism> mechanisms;
  std::optional<std::string> redirect;  // §6.1 domain-spec, unexpanded
  std::optional<std::string> exp;       // §6.2 domain-spec, unexpanded
  bool has_all = false;                 // §6.1: redirect is ignored when "all" is present
};

struct SpfSyntaxError {
  std::string detail;  // "unknown mechanism 'moo'", "invalid ip4-cidr-length in 'a/33'"
};

// §4.5: "v=spf1" (any case) followed by a space or the end of the record.
bool IsSpfRecord(std::string_view text);

// REQUIRES: IsSpfRecord(text).
tl::expected<SpfRecord, SpfSyntaxError> ParseSpfRecord(std::string_view text);

}  // namespace kenin::policy
