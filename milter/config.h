// kenind's configuration (docs/configuration.md): every key the TOML file may hold, with the
// embedded defaults that let kenind run with no file at all. Loading checks every value and
// reports the first problem as "FILE:LINE: key: problem". A Config is a plain value; once
// loaded it is shared read-only between threads (std::shared_ptr<const Config>).
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "dns/ldns_resolver.h"
#include "policy/dkim_local_policy.h"
#include "policy/dmarc.h"
#include "policy/score.h"

namespace kenin::milter {

enum class LogTarget { kStderr, kSyslog };
// What an internal error on one message does (SPEC §5 "never loses mail").
enum class FailureAction { kAccept, kTempFail };

struct DkimConfig {
  int max_signatures = 8;        // SPEC §2: later signatures get permerror "too many"
  int clock_skew_seconds = 300;  // tolerance for t= in the future and x= in the past
  int max_signed_headers = 128;  // names in one signature's h=; more is permerror
  int min_rsa_bits = 1024;       // RFC 8301 §3.2: smaller RSA keys are permerror; may be raised
  // A pass whose l= leaves body content unsigned: "policy" (default) or "pass" with a
  // comment (policy/dkim_local_policy.h, docs/security.md "l=").
  policy::UnsignedBody unsigned_body = policy::UnsignedBody::kPolicy;
  bool operator==(const DkimConfig&) const = default;
};

// Per-message resource bounds (docs/configuration.md "[limits]", docs/security.md).
struct LimitsConfig {
  // The header block kept per message (fields as on the wire); past it signatures are
  // permerror "header block over N bytes", SPF and DMARC still decided.
  int max_header_bytes = 256 * 1024;
  // End-of-message wait for DNS answers; what is unanswered then is temperror "time budget
  // exhausted". Well under MTA milter timeouts (docs/configuration.md says why 10 s).
  int eom_budget_ms = 10000;
  bool operator==(const LimitsConfig&) const = default;
};

struct DnsConfig {
  std::vector<std::string> resolver;  // IP[:PORT]; empty: the nameservers of /etc/resolv.conf
  std::vector<std::string> zone;      // RFC 1035 master files instead of the network (tests, demos)
  int timeout_ms = 2000;              // per attempt
  int attempts = 3;
  // Resource bounds (docs/configuration.md, docs/security.md). A larger answer is a
  // temperror: 16 KB holds any key, SPF or DMARC record set seen in practice, and bounds the
  // cache at about capacity x 16 KB.
  int max_answer_bytes = static_cast<int>(dns::kDefaultMaxAnswerBytes);
  // Lookups waiting on the nameservers at once, each on its own thread. A message starts about
  // ten at end-of-headers (its keys, the DMARC walks, SPF), so a small pool made one message
  // wait out several rounds of timeouts in a DNS outage (tests/e2e/dns_down_e2e.py).
  int max_concurrent_lookups = 32;
  int max_queued_lookups = 1024;  // waiting for a free thread; beyond: temperror at once
  // Believe the resolver's AD bit and report the key's DNSSEC status in the header
  // ("dnssec=secure"/"unsigned"). Only for a validating resolver over a trusted path (the
  // same host, or a secured link): anyone on the path can set AD (docs/security.md).
  bool trust_ad = false;
  bool operator==(const DnsConfig&) const = default;
};

// dns::CacheOptions, in seconds (docs/dns.md).
struct CacheConfig {
  int capacity = 10000;
  int min_ttl = 5;
  int max_ttl = 86400;
  int max_negative_ttl = 3600;  // RFC 2308 §5
  int servfail_ttl = 5;         // RFC 2308 §7.1
  bool serve_stale = false;     // RFC 8767
  int max_stale = 86400;
  bool operator==(const CacheConfig&) const = default;
};

// [score]: off unless asked for. Authentication-Results is the interface RFC 8601 defines and
// the one spam filters parse; every further field costs the MTA a queue-file edit (Postfix:
// about 0.13 ms of CPU per message, docs/performance.md), so by default kenind adds one.
struct ScoreConfig {
  bool enabled = false;
  std::string header = "X-Kenin-Score";
  std::map<std::string, double> weights = policy::ScoreOptions{}.weights;  // "dkim=pass" -> -1
};

struct DmarcConfig {
  policy::DmarcMode mode = policy::DmarcMode::kRfc9989;
  std::string psl;  // Public Suffix List for rfc7489 mode; empty: Debian's
  policy::EnforcementMode enforcement = policy::EnforcementMode::kOff;
};

// [arc] (docs/arc.md, RFC 8617): chain validation and the trusted-sealer DMARC override.
struct ArcConfig {
  bool enabled = true;
  std::vector<std::string> trusted_sealers;  // domains, lower case (ARC-Seal d= of the newest set)
  int max_older_signatures = 7;              // AMSs below the newest checked for oldest-pass
};

struct Config {
  std::string socket = "inet:8891@127.0.0.1";  // unix:/path | local:/path | inet[6]:PORT@HOST
  int socket_mode = 0660;                      // unix sockets only
  std::string user;                            // drop privileges to this user; empty: stay
  std::string pid_file;                        // empty: none
  std::string authserv_id;                     // empty: the host name
  LogTarget log = LogTarget::kSyslog;          // -f forces stderr
  std::string metrics = "127.0.0.1:9489";      // GET /metrics on HOST:PORT, or "off"
  std::vector<std::string> internal_networks;  // CIDR; their messages are not verified
  FailureAction failure_action = FailureAction::kAccept;
  int drain_seconds = 30;  // SIGTERM: how long open connections may take to finish
  DkimConfig dkim;
  LimitsConfig limits;
  DnsConfig dns;
  CacheConfig cache;
  ScoreConfig score;
  DmarcConfig dmarc;
  ArcConfig arc;
};

// "FILE:LINE: key: problem", or "key: problem" for values without a line (flags).
struct ConfigError {
  std::string message;
};
template <typename T>
using ConfigResult = tl::expected<T, ConfigError>;

// Parses and checks TOML text; `name` is the file name errors show. Keys left out keep their
// defaults; unknown keys are errors (a typo must not silently fall back to a default).
ConfigResult<Config> ParseConfig(std::istream& in, const std::string& name);
// The same for a file; a file that cannot be read is an error naming it.
ConfigResult<Config> LoadConfigFile(const std::string& path);

}  // namespace kenin::milter
