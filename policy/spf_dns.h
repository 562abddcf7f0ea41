// The DNS side of one SPF evaluation: lookups through dns::Resolver, each distinct question
// asked once per evaluation (a record may name the same host many times), and every answer
// sorted into the three cases RFC 7208 tells apart: records found; "void" (NXDOMAIN, or
// NOERROR with no answers: §4.6.4); or an error (timeout, SERVFAIL, any other RCODE: §2.6.6,
// §5). Also the validated names of the client address (§5.5) shared by "ptr" and %{p}.
// One instance per evaluation, one thread; the resolver must outlive it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/resolver.h"
#include "policy/spf_ip.h"

namespace kenin::policy {

enum class SpfDnsStatus { kFound, kVoid, kError };

struct SpfDnsAnswer {
  SpfDnsStatus status = SpfDnsStatus::kVoid;
  bool nxdomain = false;
  std::vector<dns::Record> records;
  std::string error;  // kError: "timeout", "SERVFAIL", ...
};

class SpfDns {
 public:
  explicit SpfDns(dns::Resolver& resolver) : resolver_(resolver) {}

  // Starts the lookup without waiting, so several can be in flight (MX hosts, PTR names).
  void Start(std::string_view name, dns::RecordType type);
  // Waits for the answer (starting the lookup if needed) and classifies it.
  SpfDnsAnswer Get(std::string_view name, dns::RecordType type);
  // Distinct questions sent to the resolver so far.
  int queries() const { return static_cast<int>(started_.size()); }

 private:
  dns::AnswerFuture& Future(std::string_view name, dns::RecordType type);

  dns::Resolver& resolver_;
  std::map<std::pair<dns::RecordType, std::string>, dns::AnswerFuture> started_;
};

// True when `name` is `domain` or a subdomain of it, ignoring case and a trailing dot.
bool SpfNameWithin(std::string_view name, std::string_view domain);

// The addresses of an A or AAAA answer; text that does not parse is skipped.
std::vector<SpfAddress> SpfAddressesOf(const SpfDnsAnswer& answer, bool v6);

// §5.5 validated domain names of the client, found lazily and remembered: the PTR lookup
// once, then an address lookup per name only when a caller asks about that name. At most
// `max_names` PTR names are considered (§4.6.4: "all records other than the first 10 MUST
// be ignored").
class SpfPtrNames {
 public:
  SpfPtrNames(SpfDns& dns, const SpfAddress& ip, int max_names)
      : dns_(dns), ip_(ip), max_names_(max_names) {}

  // The PTR answer (looked up on first use).
  const SpfDnsAnswer& Answer();
  // The first max_names names, trailing dot dropped, in answer order.
  const std::vector<std::string>& Names();
  // Of `candidates` (a subset of Names()), those whose address lookup returns the client
  // address, in the order given. A name whose lookup fails is skipped (§5.5).
  std::vector<std::string> Validate(const std::vector<std::string>& candidates);
  // %{p} (§7.3) for <domain>: the domain itself if validated, else a validated subdomain,
  // else any validated name; "unknown" when there is none or the PTR lookup failed.
  std::string ValidatedName(std::string_view domain);

 private:
  SpfDns& dns_;
  SpfAddress ip_;
  int max_names_;
  std::optional<SpfDnsAnswer> answer_;
  std::vector<std::string> names_;
  std::map<std::string, bool> validated_;  // lower-case name -> address matched
};

}  // namespace kenin::policy
