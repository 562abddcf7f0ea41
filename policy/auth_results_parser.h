// Parses Authentication-Results field values (RFC 8601 §2.2), so the milter can find forged
// fields that carry our authserv-id (§5) and tests can read back what we render.
// Tolerant of CFWS and comments anywhere the grammar allows them; never throws.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kenin::policy {

struct ParsedResinfo {
  std::string method;  // "dkim", lower case
  std::string result;  // "pass", lower case
  std::string reason;  // reason= value, unquoted
  std::map<std::string, std::string> properties;  // "header.d" -> "example.com"
};

struct ParsedAuthResults {
  std::string authserv_id;
  std::vector<ParsedResinfo> results;  // empty for "none"
};

// The authserv-id alone: what forgery detection needs. nullopt when there is none.
std::optional<std::string> ParseAuthservId(std::string_view value);
// The whole value. nullopt when it does not parse.
std::optional<ParsedAuthResults> ParseAuthResults(std::string_view value);

}  // namespace kenin::policy
