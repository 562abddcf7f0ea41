// ZoneResolver::FromText (RFC 1035 §5 master files, read with ldns) on any text, then
// lookups of the names in it. Properties: an error names the file label and a line; a loaded
// zone answers every question (all five types, for each owner-like word of the text) without
// error other than a CNAME chain it cannot finish, in bounded time: an answer with records is
// NOERROR with a TTL no larger than any record's, a TXT string is at most 255 octets, an
// NXDOMAIN has no records, and asking twice for records gives answers that share one memo
// (a key is parsed once per zone).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dns/zone_resolver.h"
#include "fuzz/fuzz_check.h"

using kenin::fuzz::Check;
namespace d = kenin::dns;

namespace {

// The first word of each line, where owner names are: what a lookup would ask for.
std::vector<std::string> OwnerWords(std::string_view text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < text.size() && words.size() < 16) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    words.emplace_back(line.substr(0, line.find_first_of(" \t\r")));
  }
  return words;
}

void CheckAnswer(const d::Answer& answer, d::RecordType type) {
  if (answer.rcode == d::Rcode::kNxDomain) Check(answer.records.empty(), "NXDOMAIN has no records");
  for (const d::Record& record : answer.records) {
    Check(answer.rcode == d::Rcode::kNoError, "records come with NOERROR");
    Check(answer.ttl <= record.ttl, "answer TTL is the smallest record TTL");
    if (type == d::RecordType::kTxt) {
      for (const std::string& s : record.strings) Check(s.size() <= 255, "TXT string <= 255");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  auto zone = d::ZoneResolver::FromText(text, "fuzz.zone");
  if (!zone) {
    Check(zone.error().detail.starts_with("fuzz.zone:") || zone.error().detail == "fmemopen failed",
          "an error names the file and line", zone.error().detail);
    return 0;
  }
  for (const std::string& name : OwnerWords(text)) {
    for (d::RecordType type : {d::RecordType::kA, d::RecordType::kPtr, d::RecordType::kMx,
                               d::RecordType::kTxt, d::RecordType::kAaaa}) {
      auto answer = zone->Resolve(d::Question{name, type});
      if (!answer) {
        Check(answer.error().code == d::ErrorCode::kBadReply, "only CNAME chains fail");
        continue;
      }
      CheckAnswer(*answer, type);
      if (answer->records.empty()) continue;  // negative answers are made fresh each time
      auto again = zone->Resolve(d::Question{name, type});
      Check(again && again->memo == answer->memo, "answers with records share the memo");
    }
  }
  return 0;
}
