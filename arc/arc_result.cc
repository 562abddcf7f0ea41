#include "arc/arc_result.h"

namespace kenin::arc {

std::string_view ToToken(ArcResult result) {
  switch (result) {
    case ArcResult::kNone:
      return "none";
    case ArcResult::kPass:
      return "pass";
    case ArcResult::kFail:
      return "fail";
  }
  return "fail";
}

std::string_view ArcVerdict::sealer() const {
  return sets.empty() ? std::string_view() : std::string_view(sets.back().seal_domain);
}

}  // namespace kenin::arc
