#include "arc/arc_fields.h"

#include <arpa/inet.h>

#include "verifier/base64.h"
#include "verifier/canonicalize.h"
#include "verifier/tag_list.h"

namespace kenin::arc {
namespace {

using verifier::ErrorCode;
using verifier::Excerpt;
using verifier::Fail;
using verifier::Result;

constexpr size_t kMaxAuthservId = 255;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 5322 §3.2.2 CFWS: FWS and comments, which nest and may hold quoted-pairs. Returns the
// position after it; an unclosed comment runs to the end.
size_t SkipCfws(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    if (verifier::IsFws(text[pos])) {
      ++pos;
      continue;
    }
    if (text[pos] != '(') break;
    int depth = 0;
    for (; pos < text.size(); ++pos) {
      if (text[pos] == '\\') {
        // A quoted-pair; a '\\' that ends the text stays inside the comment. Stepping past it
        // unguarded left pos beyond the end, and the caller's substr threw (arc_fuzz).
        if (pos + 1 < text.size()) ++pos;
      } else if (text[pos] == '(') {
        ++depth;
      } else if (text[pos] == ')' && --depth == 0) {
        ++pos;
        break;
      }
    }
  }
  return pos;
}

// The payload with every comment replaced by one space; quoted strings are kept whole (a
// '(' inside one opens no comment).
std::string WithoutComments(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool quoted = false;
  for (size_t pos = 0; pos < text.size();) {
    char c = text[pos];
    if (quoted) {
      out += c;
      if (c == '\\' && pos + 1 < text.size()) out += text[++pos];
      if (c == '"') quoted = false;
      ++pos;
    } else if (c == '(') {
      pos = SkipCfws(text, pos);
      out += ' ';
    } else {
      if (c == '"') quoted = true;
      out += c;
      ++pos;
    }
  }
  return out;
}

bool IsIpAddress(const std::string& text) {
  // inet_pton reads up to the first NUL: "192.0.2.1\0junk" would pass as an address and
  // carry the junk into the report (found by arc_fuzz). INET6_ADDRSTRLEN bounds valid text.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
      text.find('\0') != std::string::npos) {
    return false;
  }
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// RFC 8617 §6, §10.2: "smtp.remote-ip" as a property of any resinfo in the payload.
std::string FindRemoteIp(std::string_view payload) {
  const std::string text = WithoutComments(payload);
  const std::string lower = verifier::ToLower(text);
  constexpr std::string_view kProperty = "smtp.remote-ip";
  for (size_t at = lower.find(kProperty); at != std::string::npos;
       at = lower.find(kProperty, at + 1)) {
    if (at > 0 && !verifier::IsFws(text[at - 1]) && text[at - 1] != ';') continue;
    size_t pos = at + kProperty.size();
    while (pos < text.size() && verifier::IsFws(text[pos])) ++pos;
    if (pos >= text.size() || text[pos] != '=') continue;
    ++pos;
    while (pos < text.size() && verifier::IsFws(text[pos])) ++pos;
    bool quoted = pos < text.size() && text[pos] == '"';
    if (quoted) ++pos;
    size_t end = pos;
    while (end < text.size() && !verifier::IsFws(text[end]) && text[end] != ';' &&
           text[end] != '"') {
      ++end;
    }
    std::string value = text.substr(pos, end - pos);
    if (IsIpAddress(value)) return value;
  }
  return "";
}

// RFC 8601 §2.2: authserv-id = value (a token or a quoted-string); reported as written when
// it is a printable token, so nothing odd reaches a report.
std::string ReadAuthservId(std::string_view payload) {
  size_t pos = SkipCfws(payload, 0);
  size_t end = pos;
  while (end < payload.size() && !verifier::IsFws(payload[end]) && payload[end] != ';' &&
         payload[end] != '(') {
    ++end;
  }
  std::string_view id = payload.substr(pos, end - pos);
  if (id.size() > kMaxAuthservId) return "";
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '"') return "";
  }
  return std::string(id);
}

Result<ChainStatus> ParseChainStatus(std::string_view cv) {
  // RFC 8617 §4.1.3 chain-status = ("none" / "fail" / "pass"): ABNF quoted strings match
  // case-insensitively (RFC 5234 §2.3; the tag name is %s"cv", the values are not %s).
  if (verifier::EqualsIgnoreCase(cv, "none")) return ChainStatus::kNone;
  if (verifier::EqualsIgnoreCase(cv, "fail")) return ChainStatus::kFail;
  if (verifier::EqualsIgnoreCase(cv, "pass")) return ChainStatus::kPass;
  return Fail(ErrorCode::kSyntax, "cv= is not none, fail or pass: '" + Excerpt(cv) + "'");
}

Result<void> CheckSealTags(const verifier::TagList& tags) {
  std::string missing;
  for (std::string_view name : {"i", "cv", "a", "b", "d", "s"}) {
    if (tags.Find(name)) continue;
    if (!missing.empty()) missing += ',';
    missing.append(name).append("=");
  }
  if (!missing.empty()) return Fail(ErrorCode::kMissingTag, "missing required tag " + missing);
  // RFC 8617 §4.1.3: "the DKIM "h" tag is NOT allowed and, if found, MUST result in a cv
  // status of "fail"".
  if (tags.Find("h")) return Fail(ErrorCode::kSyntax, "h= is not allowed in an ARC-Seal");
  return {};
}

}  // namespace

std::optional<ArcFieldKind> ArcFieldKindOf(std::string_view field_name) {
  if (verifier::FieldNameEquals(field_name, "ARC-Authentication-Results")) {
    return ArcFieldKind::kAuthResults;
  }
  if (verifier::FieldNameEquals(field_name, "ARC-Message-Signature")) {
    return ArcFieldKind::kMessageSignature;
  }
  if (verifier::FieldNameEquals(field_name, "ARC-Seal")) return ArcFieldKind::kSeal;
  return std::nullopt;
}

std::string_view FieldName(ArcFieldKind kind) {
  switch (kind) {
    case ArcFieldKind::kAuthResults:
      return "ARC-Authentication-Results";
    case ArcFieldKind::kMessageSignature:
      return "ARC-Message-Signature";
    case ArcFieldKind::kSeal:
      return "ARC-Seal";
  }
  return "ARC-Seal";
}

Result<int> ParseInstance(std::string_view text) {
  if (text.empty()) return Fail(ErrorCode::kSyntax, "empty i=");
  for (char c : text) {
    if (!IsDigit(c)) return Fail(ErrorCode::kSyntax, "i= is not a number: '" + Excerpt(text) + "'");
  }
  int value = 0;
  for (char c : text.substr(0, 3)) value = value * 10 + (c - '0');
  // 1*2DIGIT: three digits or more are past the limit whatever their value.
  if (text.size() > 2 || value > kMaxInstance) {
    return Fail(ErrorCode::kSyntax, "i=" + Excerpt(text) + " is above the limit of " +
                                        std::to_string(kMaxInstance) + " (RFC 8617 4.2.1)");
  }
  if (value == 0) return Fail(ErrorCode::kSyntax, "i=0: instances start at 1");
  return value;
}

Result<int> ReadInstance(ArcFieldKind kind, std::string_view value) {
  if (kind == ArcFieldKind::kAuthResults) {
    auto parsed = ParseAuthResults(value);
    if (!parsed) return tl::unexpected(parsed.error());
    return parsed->instance;
  }
  auto tags = verifier::TagList::Parse(value);
  if (!tags) return tl::unexpected(tags.error());
  auto i = tags->Find("i");
  if (!i) return Fail(ErrorCode::kMissingTag, "no i=");
  return ParseInstance(*i);
}

Result<ArcAuthResults> ParseAuthResults(std::string_view value) {
  // instance = [CFWS] %s"i" [CFWS] "=" [CFWS] position; then [CFWS] ";".
  size_t pos = SkipCfws(value, 0);
  if (pos >= value.size() || value[pos] != 'i') {
    return Fail(ErrorCode::kSyntax, "does not start with i=");
  }
  pos = SkipCfws(value, pos + 1);
  if (pos >= value.size() || value[pos] != '=') {
    return Fail(ErrorCode::kSyntax, "does not start with i=");
  }
  pos = SkipCfws(value, pos + 1);
  size_t token_end = pos;  // the position, or whatever stands in its place, for the reason
  while (token_end < value.size() && !verifier::IsFws(value[token_end]) &&
         value[token_end] != ';' && value[token_end] != '(') {
    ++token_end;
  }
  auto instance = ParseInstance(value.substr(pos, token_end - pos));
  if (!instance) return tl::unexpected(instance.error());
  pos = SkipCfws(value, token_end);
  if (pos >= value.size() || value[pos] != ';') {
    return Fail(ErrorCode::kSyntax, "no ';' after i=" + std::to_string(*instance));
  }
  std::string_view payload = value.substr(pos + 1);
  ArcAuthResults aar;
  aar.instance = *instance;
  aar.authserv_id = ReadAuthservId(payload);
  aar.remote_ip = FindRemoteIp(payload);
  aar.payload = std::string(payload);
  return aar;
}

Result<ArcSeal> ParseSeal(std::string_view value, const verifier::SignatureOptions& options) {
  auto parsed = verifier::TagList::Parse(value);
  if (!parsed) return tl::unexpected(parsed.error());
  const verifier::TagList& tags = *parsed;
  if (auto ok = CheckSealTags(tags); !ok) return tl::unexpected(ok.error());
  ArcSeal seal;
  auto instance = ParseInstance(*tags.Find("i"));
  if (!instance) return tl::unexpected(instance.error());
  seal.instance = *instance;
  auto cv = ParseChainStatus(*tags.Find("cv"));
  if (!cv) return tl::unexpected(cv.error());
  seal.cv = *cv;
  auto algorithm = verifier::ParseAlgorithm(*tags.Find("a"), options);
  if (!algorithm) return tl::unexpected(algorithm.error());
  seal.algorithm = *algorithm;
  auto b = verifier::DecodeBase64(*tags.Find("b"));
  if (!b || b->empty()) return Fail(ErrorCode::kBadBase64, "b= is not valid base64");
  seal.signature = std::move(*b);
  seal.domain = verifier::ToLower(*tags.Find("d"));
  seal.selector = std::string(*tags.Find("s"));
  if (!verifier::IsDomainName(seal.domain)) {
    return Fail(ErrorCode::kSyntax, "d= is not a domain name");
  }
  if (!verifier::IsDomainName(seal.selector))
    return Fail(ErrorCode::kSyntax, "s= is not a selector");
  if (auto t = tags.Find("t")) {
    seal.timestamp = verifier::ParseDecimal(*t);
    if (!seal.timestamp) return Fail(ErrorCode::kSyntax, "bad number in t=");
  }
  seal.value_without_b = verifier::RemoveBValue(value, *tags.FindTag("b"));
  return seal;
}

Result<ArcMessageSignature> ParseMessageSignature(std::string_view value,
                                                  const verifier::SignatureOptions& options) {
  auto signature = verifier::ParseArcMessageSignature(value, options);
  if (!signature) return tl::unexpected(signature.error());
  // The tag list parsed, so i= is there (a required tag).
  auto instance = ReadInstance(ArcFieldKind::kMessageSignature, value);
  if (!instance) return tl::unexpected(instance.error());
  // RFC 8617 §4.1.2: ARC header fields MUST NOT be in an AMS h=. A validator that finds an
  // ARC-Seal there treats the AMS as invalid, as the ARC test suite (ams_fields_h_includes_as)
  // and dkimpy do; AAR and AMS names are tolerated (docs/arc.md, "AMS h=").
  for (const std::string& name : signature->signed_headers) {
    if (verifier::EqualsIgnoreCase(name, "ARC-Seal")) {
      return Fail(ErrorCode::kSyntax, "h= signs ARC-Seal (RFC 8617 4.1.2)");
    }
  }
  return ArcMessageSignature{*instance, std::move(*signature)};
}

}  // namespace kenin::arc
