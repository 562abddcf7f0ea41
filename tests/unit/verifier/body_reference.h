// A second, independent reading of RFC 6376 §3.4.3/§3.4.4 body canonicalization, written the
// obvious way (the whole body at once, split into lines, transform each, drop the empty ones
// at the end). BodyHasher, a streaming state machine, is held to it by body_hasher_test and
// by the body_hash fuzz target (fuzz/). Header-only; test code, not for production.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verifier/canonicalize.h"

namespace kenin::verifier::reference {

inline bool IsWsp(char c) { return c == ' ' || c == '\t'; }

// RFC 6376 §3.4.4 (a), per line: every WSP run becomes one SP, then WSP at the end of the
// line is dropped. Two passes, exactly as the RFC words it.
inline std::string RelaxLine(std::string_view line) {
  std::string reduced;
  for (size_t i = 0; i < line.size(); ++i) {
    if (!IsWsp(line[i])) {
      reduced += line[i];
      continue;
    }
    reduced += ' ';
    while (i + 1 < line.size() && IsWsp(line[i + 1])) ++i;
  }
  while (!reduced.empty() && reduced.back() == ' ') reduced.pop_back();
  return reduced;
}

// The reference: the canonical body as one string, from the whole body at once.
inline std::string ReferenceCanonicalBody(std::string_view body, Canonicalization canon) {
  // A line is what precedes a CRLF; a bare CR or LF is part of a line's content.
  std::vector<std::string> lines;
  size_t pos = 0;
  for (size_t crlf; (crlf = body.find("\r\n", pos)) != std::string_view::npos; pos = crlf + 2) {
    lines.emplace_back(body.substr(pos, crlf - pos));
  }
  // Text after the last CRLF is a last line lacking its CRLF: both algorithms add one.
  if (pos < body.size()) lines.emplace_back(body.substr(pos));
  if (canon == Canonicalization::kRelaxed) {
    for (std::string& line : lines) line = RelaxLine(line);
  }
  // §3.4.3 and §3.4.4 (b): empty lines at the end of the body are ignored.
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const std::string& line : lines) out += line + "\r\n";
  // §3.4.3: an empty simple body is one CRLF; §3.4.4: an empty relaxed body stays empty.
  if (canon == Canonicalization::kSimple && out.empty()) out = "\r\n";
  return out;
}

}  // namespace kenin::verifier::reference
