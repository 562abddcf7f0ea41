// check_host() (RFC 7208 §4-§6) for one SPF check: record lookup and selection, mechanism
// evaluation with every §4.6.4 limit, include and redirect, and the exp= explanation.
// Record-level logic is in spf_eval.cc, the DNS mechanisms (a mx ptr exists include) in
// spf_mechanisms.cc. One evaluator per check, used once, on one thread; it borrows the
// identity, the resolver and the options, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "dns/resolver.h"
#include "policy/spf.h"
#include "policy/spf_dns.h"
#include "policy/spf_ip.h"
#include "policy/spf_macro.h"
#include "policy/spf_record.h"

namespace kenin::policy {

// What stays fixed for the whole check, whatever domain is being evaluated (§4.1, §7.2).
struct SpfIdentity {
  SpfAddress ip;
  std::string sender;         // <sender>, "postmaster@..." when it had no local-part (§4.3)
  std::string local_part;     // %{l}
  std::string sender_domain;  // %{o}
  std::string helo;           // %{h}
  std::string receiver;       // %{r}
  int64_t now = 0;            // %{t}
};

struct SpfOutcome {
  SpfResult result = SpfResult::kNone;
  std::string reason;
  std::string explanation;  // only for kFail, and only when exp= gave one (§6.2)
  int dns_terms = 0;        // §4.6.4 terms evaluated
  int dns_queries = 0;      // distinct DNS questions asked
};

class SpfEvaluator {
 public:
  SpfEvaluator(const SpfIdentity& identity, dns::Resolver& resolver, const SpfOptions& options)
      : identity_(identity),
        options_(options),
        dns_(resolver),
        ptr_(dns_, identity.ip, options.max_ptr_names) {}

  // check_host(ip, domain, sender). REQUIRES: called once.
  SpfOutcome Run(std::string_view domain);

 private:
  struct ExpSource {  // the exp= of the record whose mechanism gave the result
    std::string spec;
    std::string domain;
  };
  struct HostResult {
    SpfResult result = SpfResult::kNone;
    std::string reason;
    std::optional<ExpSource> exp;
  };
  enum class Match { kMatch, kNoMatch, kTempError, kPermError };
  struct MatchResult {
    Match match = Match::kNoMatch;
    std::string reason;
  };

  // spf_eval.cc
  HostResult CheckHost(std::string_view domain);
  tl::expected<SpfRecord, HostResult> FetchRecord(std::string_view domain);
  HostResult Evaluate(const SpfRecord& record, std::string_view domain);
  HostResult Redirect(std::string_view spec, std::string_view domain);
  std::string Explain(const ExpSource& exp);
  std::optional<std::string> Target(std::string_view spec, std::string_view domain);
  SpfMacroValues Values(std::string_view domain, std::string_view macro_text);
  bool InChain(std::string_view domain) const;

  // spf_mechanisms.cc
  MatchResult MatchMechanism(const SpfMechanism& mech, std::string_view domain);
  MatchResult MatchInclude(const SpfMechanism& mech, std::string_view domain);
  MatchResult MatchA(const SpfMechanism& mech, std::string_view domain);
  MatchResult MatchMx(const SpfMechanism& mech, std::string_view domain);
  MatchResult MatchPtr(const SpfMechanism& mech, std::string_view domain);
  MatchResult MatchExists(const SpfMechanism& mech, std::string_view domain);
  bool MatchesAny(const SpfDnsAnswer& answer, const SpfMechanism& mech) const;
  std::optional<MatchResult> CountTerm();
  std::optional<MatchResult> CountVoid();

  const SpfIdentity& identity_;
  const SpfOptions& options_;
  SpfDns dns_;
  SpfPtrNames ptr_;
  std::string validated_name_;  // storage for %{p} while a string is expanded
  int terms_ = 0;
  int voids_ = 0;
  std::vector<std::string> chain_;  // domains whose records are being evaluated, outermost first
};

// §4.3: a <domain> check_host() can evaluate: labels of 1 to 63 octets, at least two labels,
// printable ASCII, not a domain literal. Anything else gives "none".
bool IsSpfCheckableDomain(std::string_view domain);

}  // namespace kenin::policy
