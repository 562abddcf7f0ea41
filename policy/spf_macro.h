// SPF macros (RFC 7208 §7): syntax of macro-string, domain-spec and explain-string, and
// expansion with transformers (digits, "r"), delimiters, and URL escaping of upper-case
// letters. The values come from the caller: %{p} needs DNS, so the evaluator computes it
// first when UsesSpfPtrMacro() says the string needs it. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/spf_ip.h"

namespace kenin::policy {

// Where a macro-string appears: explanation text (§6.2, the TXT record named by exp=) also
// allows spaces and the letters c, r and t (§7.2); everything else is a domain-spec or the
// value of an unknown modifier.
enum class SpfMacroContext { kDomain, kExplanation };

// RFC 7208 §7.1 macro-string (kDomain) or explain-string (kExplanation).
bool IsValidSpfMacroString(std::string_view text, SpfMacroContext context);

// RFC 7208 §7.1: domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] )
// / macro-expand. Checked before expansion, never after (the suite's invalid-hello-macro).
bool IsValidSpfDomainSpec(std::string_view text);

// True when `text` has a %{p} macro, so the validated client name must be known first.
bool UsesSpfPtrMacro(std::string_view text);

// The values macros expand to (§7.2). Views must outlive the expansion.
struct SpfMacroValues {
  std::string_view sender;          // s
  std::string_view local_part;      // l
  std::string_view sender_domain;   // o
  std::string_view domain;          // d: the <domain> of the current check_host()
  std::string_view helo;            // h
  std::string_view receiver;        // r
  std::string_view validated_name;  // p: "unknown" when there is none
  SpfAddress ip;                    // i, c, v
  int64_t now = 0;                  // t
};

// Expands `text`; nullopt when it breaks the syntax for `context`.
std::optional<std::string> ExpandSpfMacros(std::string_view text, const SpfMacroValues& values,
                                           SpfMacroContext context);

// Turns an expanded domain-spec into the name to query: one trailing dot dropped, labels
// removed from the left while longer than 253 characters (§7.3). nullopt when the result
// cannot be a DNS name (an empty label, a label over 63 octets: §4.3, RFC 1035 §2.3.4).
std::optional<std::string> SpfTargetName(std::string_view expanded);

}  // namespace kenin::policy
