// The spam-score integration (SPEC §4): a number downstream filters can add to theirs, from
// configurable weights per outcome, and the optional DMARC enforcement decision as data for
// the milter to act on. Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/dmarc.h"
#include "policy/spf.h"
#include "verifier/dkim_result.h"

namespace kenin::policy {

struct ScoreOptions {
  std::string header_name = "X-Kenin-Score";
  // "method=result" -> weight. DKIM counts once per message, with its best result
  // (pass > others); a missing key weighs 0. Negative is good, positive is suspicious.
  std::map<std::string, double> weights = {
      {"dkim=pass", -1.0},     {"dkim=fail", 1.0},      {"dkim=permerror", 0.5},
      {"spf=pass", -0.5},      {"spf=fail", 2.0},       {"spf=softfail", 1.0},
      {"spf=permerror", 0.5},  {"dmarc=pass", -1.5},    {"dmarc=fail", 3.0},
  };
};

double ComputeScore(const std::vector<verifier::DkimVerdict>& dkim, const std::optional<SpfVerdict>& spf,
                    const std::optional<DmarcVerdict>& dmarc, const ScoreOptions& options);

enum class EnforcementMode { kOff, kOn };
enum class Action { kAccept, kQuarantine, kReject };

// With enforcement on, a DMARC fail is acted on per its disposition (RFC 9989 §5.8 leaves
// the final decision to the receiver; this is the operator's opt-in). Otherwise: accept.
Action EnforcementAction(const std::optional<DmarcVerdict>& dmarc, EnforcementMode mode);

}  // namespace kenin::policy
