// RFC 6376 §3.2 tag=value lists, shared by DKIM-Signature fields and key records.
// Values are views into the input, which must outlive the TagList. Offsets let the header
// hash blank out b= in the exact raw bytes (RFC 6376 §3.7).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/error.h"

namespace kenin::verifier {

struct Tag {
  std::string_view name;
  std::string_view value;     // FWS at both ends removed; inner FWS kept as written
  size_t value_offset = 0;    // position of value in the parsed text
  size_t equals_offset = 0;   // position of the '=' in the parsed text
};

class TagList {
 public:
  // Parses `text`. Errors: kSyntax (bad tag name, missing '=', bad value character),
  // kDuplicateTag. An empty list is valid.
  static Result<TagList> Parse(std::string_view text);

  // Value of tag `name` (case-sensitive, RFC 6376 §3.2), or nullopt.
  std::optional<std::string_view> Find(std::string_view name) const;
  const Tag* FindTag(std::string_view name) const;
  const std::vector<Tag>& tags() const { return tags_; }

 private:
  std::vector<Tag> tags_;
};

// RFC 5322 FWS as DKIM sees it: SP, HTAB, CR and LF.
inline bool IsFws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
std::string_view TrimFws(std::string_view text);
// Splits a colon-separated tag value (h=, q=, key h=/s=/t=) into items with FWS trimmed;
// empty items are kept, so callers can reject or skip them as their rule says.
std::vector<std::string> SplitColonList(std::string_view text);
// Removes every FWS character (for base64 values, RFC 6376 §3.5 b= and bh=).
std::string StripFws(std::string_view text);

}  // namespace kenin::verifier
