// RFC 6376 §3.4 canonicalization of header fields. Body canonicalization is streaming and
// lives in body_hasher.h.
#pragma once

#include <string>
#include <string_view>

namespace kenin::verifier {

enum class Canonicalization { kSimple, kRelaxed };
std::string_view ToString(Canonicalization c);

// One header field as the MTA handed it: the name without the colon, and the raw value
// after the colon, leading whitespace and folding CRLFs included, final CRLF excluded.
struct HeaderField {
  std::string name;
  std::string value;
};
// The same, borrowed: both views must outlive its use.
struct HeaderFieldView {
  std::string_view name;
  std::string_view value;
};

// Appends the canonical form of `name: value` followed by CRLF to `out`.
void AppendCanonicalHeader(Canonicalization c, std::string_view name, std::string_view value,
                           std::string& out);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// True when `raw_name`, a field name as the MTA handed it, names `name`: case-insensitively
// (RFC 6376 §5.4) and ignoring WSP before the colon (RFC 5322 §4.5 obs-optional, "B : Y" in
// the RFC 6376 §3.4.5 example), as relaxed canonicalization does.
bool FieldNameEquals(std::string_view raw_name, std::string_view name);
std::string ToLower(std::string_view text);

}  // namespace kenin::verifier
