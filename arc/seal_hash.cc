#include "arc/seal_hash.h"

namespace kenin::arc {

std::string SealHeaderData(std::span<const verifier::HeaderFieldView> header,
                           std::span<const ArcSetFields> sets,
                           std::string_view seal_value_without_b) {
  using verifier::AppendCanonicalHeader;
  constexpr auto kRelaxed = verifier::Canonicalization::kRelaxed;
  std::string out;
  out.reserve(sets.size() * 1024);
  for (size_t k = 0; k < sets.size(); ++k) {
    const ArcSetFields& set = sets[k];
    const verifier::HeaderFieldView& aar = header[set.auth_results];
    const verifier::HeaderFieldView& ams = header[set.message_signature];
    const verifier::HeaderFieldView& seal = header[set.seal];
    AppendCanonicalHeader(kRelaxed, aar.name, aar.value, out);
    AppendCanonicalHeader(kRelaxed, ams.name, ams.value, out);
    const bool last = k + 1 == sets.size();
    AppendCanonicalHeader(kRelaxed, seal.name, last ? seal_value_without_b : seal.value, out);
  }
  out.resize(out.size() - 2);  // the seal being verified is hashed without its CRLF
  return out;
}

}  // namespace kenin::arc
