// ParseDmarcRecord (RFC 9989 §4.7, §4.8; RFC 7489 §6.3) on any TXT record text.
// Properties: a record is accepted only when StartsWithDmarcVersion() says it is one; its
// values stay in their domains (pct 0..100, psd y/n/u); invalid_tags names only known tags,
// and a policy tag marked invalid has no value; ignored segments are non-empty; errors are
// printable and bounded (the detail reaches the DMARC reason in the A-R header).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "policy/dmarc_record.h"

using kenin::fuzz::Check;
namespace p = kenin::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  auto record = p::ParseDmarcRecord(text);
  if (!record) {
    kenin::fuzz::CheckReason(record.error().detail, "ParseDmarcRecord");
    if (record.error().code == p::DmarcRecordError::Code::kDuplicateTag) {
      Check(p::StartsWithDmarcVersion(text), "a duplicate tag is found in a DMARC record only");
    }
    return 0;
  }
  Check(p::StartsWithDmarcVersion(text), "accepted records start with v=DMARC1", text);
  Check(record->pct >= 0 && record->pct <= 100, "pct in 0..100");
  Check(record->psd == 'y' || record->psd == 'n' || record->psd == 'u', "psd is y, n or u");
  static constexpr std::string_view kKnown[] = {"p",   "sp", "np",  "adkim", "aspf",
                                                "psd", "t",  "pct", "ri",    "fo"};
  for (const std::string& tag : record->invalid_tags) {
    Check(std::find(std::begin(kKnown), std::end(kKnown), tag) != std::end(kKnown),
          "invalid_tags names known tags", tag);
  }
  if (record->HasInvalid("p")) Check(!record->p, "invalid p= has no value");
  if (record->HasInvalid("sp")) Check(!record->sp, "invalid sp= has no value");
  if (record->HasInvalid("np")) Check(!record->np, "invalid np= has no value");
  for (const std::string& segment : record->ignored_segments) {
    Check(!segment.empty(), "ignored segments are not empty");
  }
  p::HasValidReportUri(record->rua);
  p::HasValidReportUri(record->ruf);
  return 0;
}
