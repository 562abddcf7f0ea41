// `kenin keycheck SELECTOR DOMAIN`: fetches the key record at selector._domainkey.domain,
// parses it as a verifier would, and lints it: type, size, flags, syntax, and advice such
// as "1024-bit: rotate" (SPEC §6).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "dns/resolver.h"

namespace kenin::tools {

struct KeycheckOptions {
  std::string selector;
  std::string domain;
  std::string format = "text";  // or "json"
};

// What one TXT record at the key name amounts to.
struct KeyFinding {
  std::string record;             // the strings of the record, joined
  bool usable = false;            // kenin would verify signatures with it
  std::string type;               // "rsa", "ed25519" or "" when it does not parse
  unsigned bits = 0;
  std::vector<std::string> problems;  // why it is unusable
  std::vector<std::string> advice;    // usable, but worth changing
};

struct KeyReport {
  std::string name;                 // selector._domainkey.domain
  std::string lookup_error;         // DNS failure or absence, empty when records came back
  std::vector<KeyFinding> findings;
  bool usable() const;
};

KeyReport CheckKey(const std::string& selector, const std::string& domain, dns::Resolver& resolver);
// Lints one key record text (also used on its own by tests).
KeyFinding LintKeyRecord(const std::string& record);

// Prints the report; returns true when at least one record is usable.
bool RunKeycheck(const KeycheckOptions& options, dns::Resolver& resolver, std::ostream& out);

}  // namespace kenin::tools
