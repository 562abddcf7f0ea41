#include "policy/score.h"

namespace kenin::policy {
namespace {

double Weight(const ScoreOptions& options, std::string_view method, std::string_view result) {
  auto it = options.weights.find(std::string(method) + "=" + std::string(result));
  return it == options.weights.end() ? 0.0 : it->second;
}

// The message's DKIM outcome: pass if any signature passed, else the first result.
std::string_view BestDkim(const std::vector<verifier::DkimVerdict>& dkim) {
  if (dkim.empty()) return "none";
  for (const verifier::DkimVerdict& v : dkim) {
    if (v.result == verifier::DkimResult::kPass) return "pass";
  }
  return verifier::ToToken(dkim.front().result);
}

}  // namespace

double ComputeScore(const std::vector<verifier::DkimVerdict>& dkim, const std::optional<SpfVerdict>& spf,
                    const std::optional<DmarcVerdict>& dmarc, const ScoreOptions& options) {
  double score = Weight(options, "dkim", BestDkim(dkim));
  if (spf) score += Weight(options, "spf", ToToken(spf->result));
  if (dmarc) score += Weight(options, "dmarc", ToToken(dmarc->result));
  return score;
}

Action EnforcementAction(const std::optional<DmarcVerdict>& dmarc, EnforcementMode mode) {
  if (mode == EnforcementMode::kOff || !dmarc || dmarc->result != DmarcResult::kFail) {
    return Action::kAccept;
  }
  switch (dmarc->disposition) {
    case Disposition::kReject: return Action::kReject;
    case Disposition::kQuarantine: return Action::kQuarantine;
    case Disposition::kNone: return Action::kAccept;
  }
  return Action::kAccept;
}

}  // namespace kenin::policy
