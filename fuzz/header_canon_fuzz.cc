// AppendCanonicalHeader (RFC 6376 §3.4.1, §3.4.2) on one header field "name:value" (split at
// the first ':'; names outside RFC 5322 ftext, never handed over by an MTA, are skipped).
// Properties: simple is the identity plus CRLF; relaxed gives a lower-case name, one CRLF at
// the very end and none inside, no WSP run longer than one SP, no WSP next to the colon or
// before the CRLF, and is idempotent (canonicalizing its own output changes nothing);
// FieldNameEquals matches the raw name against its canonical form.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "verifier/canonicalize.h"

using kenin::fuzz::Check;
namespace v = kenin::verifier;

namespace {

// RFC 5322 §3.6.8 ftext, with WSP before the colon allowed (obs-optional, §4.5).
bool IsFieldName(std::string_view name) {
  size_t end = name.find_last_not_of(" \t");
  if (end == std::string_view::npos) return false;
  for (char c : name.substr(0, end + 1)) {
    if (c < 33 || c > 126 || c == ':') return false;
  }
  return true;
}

std::string Relaxed(std::string_view name, std::string_view value) {
  std::string out;
  v::AppendCanonicalHeader(v::Canonicalization::kRelaxed, name, value, out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view field = kenin::fuzz::AsText(data, size);
  const size_t colon = field.find(':');
  if (colon == std::string_view::npos || !IsFieldName(field.substr(0, colon))) return 0;
  const std::string_view name = field.substr(0, colon);
  const std::string_view value = field.substr(colon + 1);

  std::string simple;
  v::AppendCanonicalHeader(v::Canonicalization::kSimple, name, value, simple);
  Check(simple == std::string(field) + "\r\n", "simple changes nothing", field);

  const std::string relaxed = Relaxed(name, value);
  Check(relaxed.size() >= 3 && relaxed.ends_with("\r\n"), "relaxed ends with CRLF", relaxed);
  const std::string_view body = std::string_view(relaxed).substr(0, relaxed.size() - 2);
  Check(body.find_first_of("\r\n") == std::string_view::npos, "relaxed unfolds", relaxed);
  Check(body.find('\t') == std::string_view::npos, "relaxed: no HTAB", relaxed);
  Check(body.find("  ") == std::string_view::npos, "relaxed: no WSP run", relaxed);
  Check(!body.ends_with(' '), "relaxed: no WSP at the end", relaxed);
  const size_t canon_colon = body.find(':');
  const std::string_view canon_name = body.substr(0, canon_colon);
  const std::string_view canon_value = body.substr(canon_colon + 1);
  Check(v::ToLower(canon_name) == canon_name, "relaxed: name lower case", relaxed);
  Check(!canon_name.ends_with(' ') && !canon_value.starts_with(' '), "relaxed: no WSP at ':'",
        relaxed);
  Check(v::FieldNameEquals(name, canon_name), "FieldNameEquals(raw, canonical)", field);
  Check(Relaxed(canon_name, canon_value) == relaxed, "relaxed is idempotent", relaxed);
  return 0;
}
