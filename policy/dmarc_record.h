// The DMARC Policy Record (RFC 9989 §4.7, §4.8; RFC 7489 §6.3): its tags and the parser for
// one TXT record. Parsing is pure and total: any input gives a record or an error saying why
// it is not one. Thread-safety: free functions on values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace kenin::policy {

enum class Disposition { kNone, kQuarantine, kReject };
std::string_view ToToken(Disposition disposition);  // "none", "quarantine", "reject"
// The next less severe disposition: reject -> quarantine -> none (RFC 9989 §4.7 t=y,
// RFC 7489 §6.6.4 pct).
Disposition OneLevelLess(Disposition disposition);

enum class Alignment { kRelaxed, kStrict };

struct DmarcRecord {
  std::optional<Disposition> p;   // nullopt when absent or invalid
  std::optional<Disposition> sp;  // subdomain policy
  std::optional<Disposition> np;  // non-existent subdomain policy (RFC 9989)
  Alignment adkim = Alignment::kRelaxed;
  Alignment aspf = Alignment::kRelaxed;
  char psd = 'u';        // 'y', 'n' or 'u' (RFC 9989 §4.7)
  bool testing = false;  // t=y (RFC 9989)
  int pct = 100;         // RFC 7489 only: parsed and reported in RFC 9989 mode, not applied
  std::string rua, ruf, fo, rf, ri;  // report tags, kept as written (WSP trimmed)
  // Known tags present with a value outside their grammar ("p", "sp", "np", "adkim", ...).
  // The record keeps the tag's default; whether the record is still usable is decided by
  // policy discovery (RFC 9989 §4.10.1: invalid p/sp/np without a valid rua).
  std::vector<std::string> invalid_tags;
  // Text between separators that is not tag=value, ignored (RFC 9989 §4.8: "Syntax errors in
  // the remainder of the record MUST be discarded ... or ignored outright").
  std::vector<std::string> ignored_segments;

  bool HasInvalid(std::string_view tag) const;
};

struct DmarcRecordError {
  enum class Code {
    kNotDmarc,      // does not start with v=DMARC1: discarded like any other TXT record
    kDuplicateTag,  // a DMARC record whose tag list is ambiguous (RFC 6376 §3.2)
  };
  Code code = Code::kNotDmarc;
  std::string detail;
};

// Parses one TXT record (its character-strings already joined, RFC 9989 §4.5).
// RFC 9989 §4.7: "v" MUST be the first tag and its value exactly "DMARC1", else the record
// is ignored (kNotDmarc). Tag names are case-sensitive (RFC 6376 §3.2); policy values are
// ABNF literals and so case-insensitive (RFC 5234 §2.3). Unknown tags are ignored.
tl::expected<DmarcRecord, DmarcRecordError> ParseDmarcRecord(std::string_view text);

// True when `text` begins with the v=DMARC1 tag (RFC 9989 §4.10 step 2 filter).
bool StartsWithDmarcVersion(std::string_view text);

// True when a rua/ruf list holds at least one syntactically valid URI (RFC 3986 §3:
// scheme ":" followed by something), ignoring an obsolete "!size" suffix.
bool HasValidReportUri(std::string_view uri_list);

}  // namespace kenin::policy
