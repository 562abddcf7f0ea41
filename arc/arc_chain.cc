#include "arc/arc_chain.h"

#include <algorithm>
#include <array>

namespace kenin::arc {
namespace {

constexpr std::array<ArcFieldKind, 3> kSetOrder = {
    ArcFieldKind::kAuthResults, ArcFieldKind::kMessageSignature, ArcFieldKind::kSeal};

size_t& Slot(ArcSetFields& set, ArcFieldKind kind) {
  switch (kind) {
    case ArcFieldKind::kAuthResults:
      return set.auth_results;
    case ArcFieldKind::kMessageSignature:
      return set.message_signature;
    case ArcFieldKind::kSeal:
      return set.seal;
  }
  return set.seal;
}

std::string_view StatusToken(ChainStatus status) {
  switch (status) {
    case ChainStatus::kNone:
      return "none";
    case ChainStatus::kFail:
      return "fail";
    case ChainStatus::kPass:
      return "pass";
  }
  return "fail";
}

}  // namespace

tl::expected<std::vector<ArcSetFields>, std::string> GroupIntoSets(
    std::span<const ArcFieldRef> fields) {
  int highest = 0;
  for (const ArcFieldRef& ref : fields) highest = std::max(highest, ref.instance);
  const auto n = static_cast<size_t>(highest);
  std::vector<ArcSetFields> sets(n);
  std::vector<std::array<int, 3>> counts(n, {0, 0, 0});
  for (const ArcFieldRef& ref : fields) {
    const auto k = static_cast<size_t>(ref.instance - 1);
    ++counts[k][static_cast<size_t>(ref.kind)];
    Slot(sets[k], ref.kind) = ref.field;
  }
  // Lowest instance first, so the reason names the oldest damage.
  for (size_t k = 0; k < n; ++k) {
    const std::string instance = std::to_string(k + 1);
    if (counts[k][0] + counts[k][1] + counts[k][2] == 0) {
      return tl::unexpected("no ARC Set i=" + instance + " below i=" + std::to_string(n) +
                            " (instances must run from 1 without gaps)");
    }
    for (ArcFieldKind kind : kSetOrder) {
      int count = counts[k][static_cast<size_t>(kind)];
      if (count > 1) {
        return tl::unexpected(std::string(FieldName(kind)) + " i=" + instance + " appears " +
                              std::to_string(count) + " times");
      }
      if (count == 0) {
        return tl::unexpected("ARC Set i=" + instance + " has no " + std::string(FieldName(kind)));
      }
    }
  }
  return sets;
}

std::optional<std::string> CheckChainStatuses(std::span<const ChainStatus> statuses) {
  for (size_t k = 0; k < statuses.size(); ++k) {
    const ChainStatus want = k == 0 ? ChainStatus::kNone : ChainStatus::kPass;
    if (statuses[k] == want) continue;
    return "ARC-Seal i=" + std::to_string(k + 1) +
           " has cv=" + std::string(StatusToken(statuses[k])) + ", must be " +
           std::string(StatusToken(want));
  }
  return std::nullopt;
}

}  // namespace kenin::arc
