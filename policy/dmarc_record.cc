// DMARC record parsing. The record is a tag list (RFC 9989 §4.8):
//   dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep]
//   dmarc-sep    = *WSP ";" *WSP        equals = *WSP "=" *WSP
// Only the leading v=DMARC1 decides whether the text is a DMARC record at all. After it the
// parser is lenient where the RFC asks for leniency (a malformed segment or an out-of-grammar
// value is ignored and noted, §4.8) and strict where a record would otherwise be ambiguous
// (the same tag twice: RFC 6376 §3.2, whose tag-value syntax DMARC adopts, makes the whole
// list invalid).
#include "policy/dmarc_record.h"

#include <algorithm>
#include <set>

#include "verifier/error.h"

namespace kenin::policy {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimWsp(std::string_view text) {
  while (!text.empty() && IsWsp(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsWsp(text.back())) text.remove_suffix(1);
  return text;
}

// ABNF string literals are case-insensitive (RFC 5234 §2.3).
bool EqualsNoCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

struct TagValue {
  std::string_view name;
  std::string_view value;
};

// dmarc-tag = 1*ALPHA equals 1*dmarc-value; dmarc-value is any printing character but ';'.
std::optional<TagValue> SplitTag(std::string_view segment) {
  size_t equals = segment.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  TagValue tag{TrimWsp(segment.substr(0, equals)), TrimWsp(segment.substr(equals + 1))};
  if (tag.name.empty() || !std::all_of(tag.name.begin(), tag.name.end(), IsAlpha)) {
    return std::nullopt;
  }
  if (tag.value.empty()) return std::nullopt;
  bool printable = std::all_of(tag.value.begin(), tag.value.end(),
                               [](char c) { return IsWsp(c) || (c >= 0x20 && c <= 0x7e); });
  if (!printable) return std::nullopt;
  return tag;
}

bool IsVersionTag(std::string_view segment) {
  std::optional<TagValue> tag = SplitTag(segment);
  // RFC 9989 §4.8: dmarc-version = "v" equals %s"DMARC1" (the value is case-sensitive).
  return tag && tag->name == "v" && tag->value == "DMARC1";
}

std::optional<Disposition> ParseRequest(std::string_view value) {
  if (EqualsNoCase(value, "none")) return Disposition::kNone;
  if (EqualsNoCase(value, "quarantine")) return Disposition::kQuarantine;
  if (EqualsNoCase(value, "reject")) return Disposition::kReject;
  return std::nullopt;
}

std::optional<Alignment> ParseRors(std::string_view value) {
  if (EqualsNoCase(value, "r")) return Alignment::kRelaxed;
  if (EqualsNoCase(value, "s")) return Alignment::kStrict;
  return std::nullopt;
}

// RFC 7489 §6.3: pct = 1*3DIGIT, 0..100.
std::optional<int> ParsePercent(std::string_view value) {
  if (value.empty() || value.size() > 3 || !std::all_of(value.begin(), value.end(), IsDigit)) {
    return std::nullopt;
  }
  int percent = std::stoi(std::string(value));
  return percent <= 100 ? std::optional<int>(percent) : std::nullopt;
}

// dmarc-fo: colon-separated "0" "1" "d" "s" (RFC 9989 §4.8); order is free.
bool IsValidFo(std::string_view value) {
  for (std::string_view option : SplitOn(value, ':')) {
    option = TrimWsp(option);
    if (option != "0" && option != "1" && !EqualsNoCase(option, "d") &&
        !EqualsNoCase(option, "s")) {
      return false;
    }
  }
  return true;
}

void SetPolicy(std::optional<Disposition>& field, std::string_view name, std::string_view value,
               DmarcRecord& record) {
  field = ParseRequest(value);
  if (!field) record.invalid_tags.emplace_back(name);
}

void ApplyFlagTags(const TagValue& tag, DmarcRecord& record) {
  std::string_view v = tag.value;
  bool valid = true;
  if (tag.name == "adkim" || tag.name == "aspf") {
    std::optional<Alignment> mode = ParseRors(v);
    valid = mode.has_value();
    if (valid) (tag.name == "adkim" ? record.adkim : record.aspf) = *mode;
  } else if (tag.name == "psd") {
    valid = v.size() == 1 && std::string_view("yYnNuU").find(v[0]) != std::string_view::npos;
    if (valid) record.psd = static_cast<char>(v[0] | 0x20);
  } else if (tag.name == "t") {
    valid = EqualsNoCase(v, "y") || EqualsNoCase(v, "n");
    if (valid) record.testing = EqualsNoCase(v, "y");
  } else if (tag.name == "pct") {
    std::optional<int> percent = ParsePercent(v);
    valid = percent.has_value();
    if (valid) record.pct = *percent;
  }
  if (!valid) record.invalid_tags.emplace_back(tag.name);
}

void ApplyTag(const TagValue& tag, DmarcRecord& record) {
  const std::string_view name = tag.name;
  if (name == "p") return SetPolicy(record.p, name, tag.value, record);
  if (name == "sp") return SetPolicy(record.sp, name, tag.value, record);
  if (name == "np") return SetPolicy(record.np, name, tag.value, record);
  if (name == "rua") record.rua = tag.value;
  if (name == "ruf") record.ruf = tag.value;
  if (name == "rf") record.rf = tag.value;
  if (name == "ri") {
    record.ri = tag.value;
    if (!std::all_of(tag.value.begin(), tag.value.end(), IsDigit)) {
      record.invalid_tags.emplace_back(name);
    }
  }
  if (name == "fo") {
    record.fo = tag.value;
    if (!IsValidFo(tag.value)) record.invalid_tags.emplace_back(name);
  }
  ApplyFlagTags(tag, record);  // adkim aspf psd t pct; unknown tags fall through (§4.7)
}

bool IsUriScheme(std::string_view scheme) {
  if (scheme.empty() || !IsAlpha(scheme[0])) return false;
  return std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.';
  });
}

}  // namespace

std::string_view ToToken(Disposition disposition) {
  switch (disposition) {
    case Disposition::kNone:
      return "none";
    case Disposition::kQuarantine:
      return "quarantine";
    case Disposition::kReject:
      return "reject";
  }
  return "none";
}

Disposition OneLevelLess(Disposition disposition) {
  return disposition == Disposition::kReject ? Disposition::kQuarantine : Disposition::kNone;
}

bool DmarcRecord::HasInvalid(std::string_view tag) const {
  return std::find(invalid_tags.begin(), invalid_tags.end(), tag) != invalid_tags.end();
}

bool StartsWithDmarcVersion(std::string_view text) {
  return IsVersionTag(TrimWsp(text.substr(0, text.find(';'))));
}

tl::expected<DmarcRecord, DmarcRecordError> ParseDmarcRecord(std::string_view text) {
  using Code = DmarcRecordError::Code;
  std::vector<std::string_view> segments = SplitOn(text, ';');
  // RFC 9989 §4.7 v: "If the tag is not the first in the list, or the tag is absent, or the
  // value is not "DMARC1", then the entire record MUST be ignored."
  if (!IsVersionTag(TrimWsp(segments.front()))) {
    return tl::unexpected(DmarcRecordError{Code::kNotDmarc, "does not start with v=DMARC1"});
  }
  DmarcRecord record;
  std::set<std::string_view> seen = {"v"};
  for (size_t i = 1; i < segments.size(); ++i) {
    std::string_view segment = TrimWsp(segments[i]);
    if (segment.empty()) continue;  // the optional trailing dmarc-sep, or ";;"
    std::optional<TagValue> tag = SplitTag(segment);
    if (!tag) {
      record.ignored_segments.emplace_back(segment);
      continue;
    }
    if (!seen.insert(tag->name).second) {
      return tl::unexpected(
          // The name is quoted through an excerpt: it is the publisher's text, up to 64 KB,
          // and this detail becomes the reason in our Authentication-Results header.
          DmarcRecordError{Code::kDuplicateTag,
                           "duplicate tag '" + verifier::Excerpt(tag->name) + "'"});
    }
    ApplyTag(*tag, record);
  }
  return record;
}

bool HasValidReportUri(std::string_view uri_list) {
  for (std::string_view uri : SplitOn(uri_list, ',')) {
    uri = TrimWsp(uri);
    uri = uri.substr(0, uri.find('!'));  // obs-dmarc-report-size (RFC 9989 §4.8)
    size_t colon = uri.find(':');
    if (colon == std::string_view::npos || colon + 1 >= uri.size()) continue;
    std::string_view rest = uri.substr(colon + 1);
    bool clean =
        std::none_of(rest.begin(), rest.end(), [](char c) { return c <= ' ' || c == 0x7f; });
    if (IsUriScheme(uri.substr(0, colon)) && clean) return true;
  }
  return false;
}

}  // namespace kenin::policy
