#include "policy/arc_override.h"

#include "verifier/canonicalize.h"

namespace kenin::policy {

std::optional<std::string> ArcOverrideSealer(const DmarcVerdict& dmarc,
                                             const arc::ArcVerdict& arc,
                                             std::span<const std::string> trusted_sealers) {
  if (dmarc.result != DmarcResult::kFail || arc.result != arc::ArcResult::kPass) {
    return std::nullopt;
  }
  const std::string_view sealer = arc.sealer();
  if (sealer.empty()) return std::nullopt;
  // A trailing dot is the same DNS name; configured names may carry one.
  auto bare = [](std::string_view name) {
    return name.ends_with('.') ? name.substr(0, name.size() - 1) : name;
  };
  for (const std::string& trusted : trusted_sealers) {
    if (verifier::EqualsIgnoreCase(bare(trusted), bare(sealer))) {
      return verifier::ToLower(bare(sealer));
    }
  }
  return std::nullopt;
}

void ApplyArcOverride(DmarcVerdict& dmarc) { dmarc.disposition = Disposition::kNone; }

}  // namespace kenin::policy
