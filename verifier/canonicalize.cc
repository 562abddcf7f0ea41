#include "verifier/canonicalize.h"

namespace kenin::verifier {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool IsWsp(char c) { return c == ' ' || c == '\t'; }

bool IsLineBreak(char c) { return c == '\r' || c == '\n'; }

// RFC 6376 §3.4.2: lower-case the name, unfold, collapse WSP runs to one SP, drop WSP at the
// end of the value and around the colon. Runs of other octets are appended whole.
void AppendRelaxed(std::string_view name, std::string_view value, std::string& out) {
  while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
  const size_t name_at = out.size();
  out.append(name);
  for (size_t k = name_at; k < out.size(); ++k) out[k] = LowerAscii(out[k]);
  out += ':';
  bool pending_space = false;
  bool started = false;
  for (size_t i = 0; i < value.size();) {
    const char c = value[i];
    if (IsLineBreak(c)) {  // unfolding: CRLF removed, the WSP after it kept
      ++i;
      continue;
    }
    if (IsWsp(c)) {
      pending_space = true;
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < value.size() && !IsWsp(value[end]) && !IsLineBreak(value[end])) ++end;
    if (pending_space && started) out += ' ';
    pending_space = false;
    started = true;
    out.append(value.substr(i, end - i));
    i = end;
  }
  out += "\r\n";
}

}  // namespace

std::string_view ToString(Canonicalization c) {
  return c == Canonicalization::kSimple ? "simple" : "relaxed";
}

void AppendCanonicalHeader(Canonicalization c, std::string_view name, std::string_view value,
                           std::string& out) {
  if (c == Canonicalization::kRelaxed) {
    AppendRelaxed(name, value, out);
    return;
  }
  // RFC 6376 §3.4.1: simple changes nothing.
  out.append(name);
  out += ':';
  out.append(value);
  out += "\r\n";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool FieldNameEquals(std::string_view raw_name, std::string_view name) {
  while (!raw_name.empty() && IsWsp(raw_name.back())) raw_name.remove_suffix(1);
  return EqualsIgnoreCase(raw_name, name);
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

}  // namespace kenin::verifier
