// What the fuzz targets check beyond "no crash". A property that does not hold prints what
// was wrong and aborts, so libFuzzer keeps the input as a crash artifact like any other
// finding. Header-only; used by fuzz/*_fuzz.cc only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace kenin::fuzz {

// The longest reason or error detail any parser may produce. Reasons end up in the
// Authentication-Results header (reason="...", which cannot be folded, and a header line may
// not pass 998 octets) and in the log line; inputs reach 64 KB (a TXT record) or more (a
// header field), so a parser quotes input through an excerpt (verifier::Excerpt: at most 163
// characters) or a bounded name (253 octets, dns::ShownName 258 characters).
inline constexpr size_t kMaxReason = 512;

inline bool IsPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// `text` with octets outside printable ASCII as \xNN, cut at 300 characters: for messages.
inline std::string Escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < 300; ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u < 0x7f) {
      out += text[i];
    } else {
      out.append("\\x").append(1, kHex[u >> 4]).append(1, kHex[u & 15]);
    }
  }
  return out;
}

[[noreturn]] inline void Fail(std::string_view property, std::string_view detail = {}) {
  std::fprintf(stderr, "\n*** property violated: %.*s\n*** detail: %s\n",
               static_cast<int>(property.size()), property.data(), Escaped(detail).c_str());
  std::abort();
}

inline void Check(bool holds, std::string_view property, std::string_view detail = {}) {
  if (!holds) Fail(property, detail);
}

// A reason or error detail: printable ASCII, at most kMaxReason characters.
inline void CheckReason(std::string_view reason, std::string_view what) {
  if (reason.size() > kMaxReason)
    Fail(std::string(what) + ": reason longer than kMaxReason", reason);
  if (!IsPrintableAscii(reason)) Fail(std::string(what) + ": reason not printable ASCII", reason);
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace kenin::fuzz
