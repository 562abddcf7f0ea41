// SPF (RFC 7208): check_host() for the MAIL FROM identity, or the HELO identity when MAIL
// FROM is empty (§2.4). All DNS goes through the dns::Resolver interface; lookups are made
// one after another as the record demands (each may depend on the last), and every limit of
// §4.6.4 is enforced, so a hostile record costs at most a bounded number of queries.
// Pure: no sockets, no threads, no clock. Thread-safe as long as the resolver is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dns/resolver.h"

namespace kenin::policy {

// RFC 7208 §2.6 results, tokens as in RFC 8601 §2.7.2 ("spf=").
enum class SpfResult { kNone, kNeutral, kPass, kFail, kSoftFail, kTempError, kPermError };
std::string_view ToToken(SpfResult result);

struct SpfRequest {
  std::string client_ip;  // the SMTP client, IPv4 or IPv6 text ("192.0.2.1", "2001:db8::1")
  std::string helo;       // the HELO/EHLO name as given
  std::string mail_from;  // the MAIL FROM address without <>; empty for the null sender
  std::string receiver = "unknown";           // %{r} macro: the receiving host's name
  std::optional<int64_t> now = std::nullopt;  // %{t}: seconds since the epoch; unset is 0
};

struct SpfOptions {
  int max_dns_mechanisms = 10;  // §4.6.4: include a mx ptr exists redirect
  int max_void_lookups = 2;     // §4.6.4: NXDOMAIN or no answers
  int max_mx_names = 10;        // §4.6.4: addresses looked up per "mx"
  int max_ptr_names = 10;       // §4.6.4: names checked per "ptr" / %{p}
};

struct SpfVerdict {
  SpfResult result = SpfResult::kNone;
  std::string reason;       // why, for non-pass: "include loop", "11 DNS lookups", "no SPF record"
  std::string identity;     // "mailfrom" or "helo": which identity was checked
  std::string domain;       // the domain checked (the MAIL FROM domain or the HELO name)
  std::string sender;       // the full <sender> used (postmaster@helo when MAIL FROM is empty)
  std::string explanation;  // exp= text, only for fail (§6.2)
  int dns_mechanisms = 0;   // DNS-querying terms evaluated, for diagnostics
  int dns_queries = 0;      // distinct DNS questions asked; bounded by the §4.6.4 limits
};

// Runs check_host() (§4) for the request: MAIL FROM domain, or HELO when MAIL FROM is empty.
SpfVerdict CheckSpf(const SpfRequest& request, dns::Resolver& resolver,
                    const SpfOptions& options = {});

// check_host(ip, domain, sender) itself, for callers that choose the identity (HELO checks).
SpfVerdict CheckHost(std::string_view client_ip, std::string_view domain, std::string_view sender,
                     std::string_view helo, dns::Resolver& resolver, const SpfOptions& options = {},
                     std::string_view receiver = "unknown", std::optional<int64_t> now = {});

}  // namespace kenin::policy
