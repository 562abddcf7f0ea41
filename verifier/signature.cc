#include "verifier/signature.h"

#include <algorithm>
#include <charconv>

#include "verifier/base64.h"
#include "verifier/idna.h"
#include "verifier/tag_list.h"

namespace kenin::verifier {
namespace {

constexpr size_t kHeaderBPrefix = 8;  // RFC 6008 §2: enough to tell signatures apart

}  // namespace

Result<Algorithm> ParseAlgorithm(std::string_view a, const SignatureOptions& options) {
  if (a == "rsa-sha256") return Algorithm::kRsaSha256;
  if (a == "ed25519-sha256") return Algorithm::kEd25519Sha256;  // RFC 8463 §3
  if (a == "rsa-sha1") {
    if (options.allow_rsa_sha1) return Algorithm::kRsaSha1;
    return Fail(ErrorCode::kWeakAlgorithm, "rsa-sha1 is not accepted (RFC 8301)");
  }
  return Fail(ErrorCode::kUnsupportedAlgorithm, "unknown algorithm '" + Excerpt(a) + "'");
}

namespace {

Result<Canonicalization> ParseOneCanon(std::string_view c) {
  if (c == "simple") return Canonicalization::kSimple;
  if (c == "relaxed") return Canonicalization::kRelaxed;
  return Fail(ErrorCode::kUnsupportedCanonicalization,
              "unknown canonicalization '" + Excerpt(c) + "'");
}

// RFC 6376 §3.5 c=: "header/body"; a missing body part means simple.
Result<void> ParseCanonicalization(std::string_view c, DkimSignature& sig) {
  size_t slash = c.find('/');
  auto header = ParseOneCanon(c.substr(0, slash));
  if (!header) return tl::unexpected(header.error());
  sig.header_canon = *header;
  if (slash == std::string_view::npos) return {};
  auto body = ParseOneCanon(c.substr(slash + 1));
  if (!body) return tl::unexpected(body.error());
  sig.body_canon = *body;
  return {};
}

}  // namespace

// Decimal with no sign or spaces. Values too large for 64 bits saturate: they are still
// "a very large number" as far as l=, t= and x= are concerned.
std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return UINT64_MAX;
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// RFC 6376 §3.5 d= (domain-name) and s= (selector): dot-separated labels of 1..63 octets,
// 253 in all, one trailing dot tolerated. Labels are read leniently (letters, digits, '-',
// '_', and UTF-8 octets for RFC 8616 U-labels) but nothing else: not '@', FWS, ';' or control
// octets, which would otherwise reach the key query name and the header.d/header.s we write.
bool IsDomainName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || u >= 0x80;
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

namespace {

// DKIM-Signature, or an ARC-Message-Signature (RFC 8617 §4.1.2): the same field without v=
// and with i= holding the ARC instance instead of the AUID.
enum class FieldKind { kDkim, kArcMessage };

Result<void> CheckRequiredTags(const TagList& tags, FieldKind kind) {
  // RFC 6376 §6.1.1: v, a, b, bh, d, h and s are required; RFC 8617 §4.1.2: an AMS has no
  // v= but needs its instance i=.
  std::string missing;
  const std::string_view first = kind == FieldKind::kDkim ? "v" : "i";
  const std::initializer_list<std::string_view> required = {first, "a", "b", "bh", "d", "h", "s"};
  for (std::string_view name : required) {
    if (tags.Find(name)) continue;
    if (!missing.empty()) missing += ',';
    missing.append(name).append("=");
  }
  if (!missing.empty()) return Fail(ErrorCode::kMissingTag, "missing required tag " + missing);
  return {};
}

Result<void> ParseIdentity(const TagList& tags, DkimSignature& sig) {
  auto i = tags.Find("i");
  if (!i) {
    sig.identity = "@" + sig.domain;  // RFC 6376 §3.5 i= default
    return {};
  }
  auto decoded = DecodeDkimQuotedPrintable(*i);
  if (!decoded) return Fail(ErrorCode::kSyntax, "bad quoted-printable in i=");
  size_t at = decoded->rfind('@');
  if (at == std::string::npos) return Fail(ErrorCode::kSyntax, "i= has no '@'");
  // RFC 8616 §5: in internationalized mail the i= domain may be written in U-labels; it is
  // compared with d= (A-labels) in its A-label form, and kept in that form.
  auto domain = ToALabels(std::string_view(*decoded).substr(at + 1));
  if (!domain) return Fail(ErrorCode::kSyntax, "i= domain is " + domain.error());
  // RFC 6376 §6.1.1: the i= domain must be d= or a subdomain of it.
  if (!IsSameOrSubdomain(*domain, sig.domain)) {
    return Fail(ErrorCode::kIdentityMismatch, "i= domain is not d= or a subdomain of it");
  }
  sig.identity = decoded->substr(0, at + 1) + *domain;
  return {};
}

Result<void> ParseHeaderList(std::string_view h, size_t max_names, DkimSignature& sig) {
  // Counted before splitting: an h= of a million names must not become a million strings.
  const size_t names = static_cast<size_t>(std::count(h.begin(), h.end(), ':')) + 1;
  if (names > max_names) {
    return Fail(ErrorCode::kOverLimit, "h= lists " + std::to_string(names) + " names, over " +
                                           std::to_string(max_names));
  }
  sig.signed_headers = SplitColonList(h);
  bool has_from = false;
  for (const std::string& name : sig.signed_headers) {
    if (name.empty()) return Fail(ErrorCode::kSyntax, "empty header name in h=");
    if (EqualsIgnoreCase(name, "from")) has_from = true;
  }
  // RFC 6376 §5.4: From MUST be signed; §6.1.1: a verifier treats its absence as invalid.
  if (!has_from) return Fail(ErrorCode::kFromNotSigned, "From is not in h=");
  return {};
}

Result<void> ParseOptionalNumbers(const TagList& tags, DkimSignature& sig) {
  for (auto [name, field] : {std::pair{"l", &sig.body_length}, std::pair{"t", &sig.timestamp},
                             std::pair{"x", &sig.expiration}}) {
    auto text = tags.Find(name);
    if (!text) continue;
    *field = ParseDecimal(*text);
    if (!*field) return Fail(ErrorCode::kSyntax, std::string("bad number in ") + name + "=");
  }
  // RFC 6376 §3.5 x=: "the value of the x= tag MUST be greater than the value of the t= tag".
  if (sig.timestamp && sig.expiration && *sig.expiration <= *sig.timestamp) {
    return Fail(ErrorCode::kBadTimestamps, "x= is not after t=");
  }
  return {};
}

// RFC 6376 §3.5 q=: a colon-separated list; dns/txt is the only method defined.
Result<void> CheckQueryMethods(const TagList& tags) {
  auto q = tags.Find("q");
  if (!q) return {};
  for (const std::string& method : SplitColonList(*q)) {
    // "dns/txt" with an optional "/options" suffix is not defined; match the method exactly.
    if (EqualsIgnoreCase(method, "dns/txt")) return {};
  }
  return Fail(ErrorCode::kUnsupportedQueryMethod, "no supported query method in q=");
}

Result<void> DecodeHashes(const TagList& tags, DkimSignature& sig) {
  auto b = DecodeBase64(*tags.Find("b"));
  if (!b || b->empty()) return Fail(ErrorCode::kBadBase64, "b= is not valid base64");
  auto bh = DecodeBase64(*tags.Find("bh"));
  if (!bh || bh->empty()) return Fail(ErrorCode::kBadBase64, "bh= is not valid base64");
  sig.signature = std::move(*b);
  sig.body_hash = std::move(*bh);
  return {};
}

}  // namespace

// RFC 6376 §3.7: the header hash covers this field with b='s value deleted. The FWS between
// '=' and the value goes with it; what follows the value stays.
std::string RemoveBValue(std::string_view value, const Tag& b) {
  std::string out(value.substr(0, b.equals_offset + 1));
  out.append(value.substr(b.value_offset + b.value.size()));
  return out;
}

KeyType KeyTypeOf(Algorithm a) {
  return a == Algorithm::kEd25519Sha256 ? KeyType::kEd25519 : KeyType::kRsa;
}

HashAlgorithm HashOf(Algorithm a) {
  return a == Algorithm::kRsaSha1 ? HashAlgorithm::kSha1 : HashAlgorithm::kSha256;
}

std::string_view ToString(HashAlgorithm h) { return h == HashAlgorithm::kSha1 ? "sha1" : "sha256"; }

std::optional<std::string> DecodeDkimQuotedPrintable(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsFws(c)) continue;
    if (c != '=') {
      out += c;
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsSameOrSubdomain(std::string_view domain, std::string_view parent) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (!parent.empty() && parent.back() == '.') parent.remove_suffix(1);
  if (parent.empty() || domain.size() < parent.size()) return false;
  if (!EqualsIgnoreCase(domain.substr(domain.size() - parent.size()), parent)) return false;
  return domain.size() == parent.size() || domain[domain.size() - parent.size() - 1] == '.';
}

SignatureIds ExtractIds(std::string_view value) {
  SignatureIds ids;
  // Tolerant scan: split on ';' and take what looks like tag=value, ignoring the rest.
  size_t pos = 0;
  while (pos < value.size()) {
    size_t end = value.find(';', pos);
    if (end == std::string_view::npos) end = value.size();
    std::string_view spec = value.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = spec.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = TrimFws(spec.substr(0, eq));
    std::string_view tag_value = TrimFws(spec.substr(eq + 1));
    if (name == "d" && ids.domain.empty()) ids.domain = ToLower(tag_value);
    if (name == "s" && ids.selector.empty()) ids.selector = tag_value;
    if (name == "a" && ids.algorithm.empty()) ids.algorithm = tag_value;
    if (name == "i" && ids.identity.empty()) ids.identity = DecodeDkimQuotedPrintable(tag_value).value_or("");
    if (name == "b" && ids.b_prefix.empty()) ids.b_prefix = StripFws(tag_value).substr(0, kHeaderBPrefix);
  }
  return ids;
}

namespace {

Result<DkimSignature> ParseSignatureField(std::string_view value, const SignatureOptions& options,
                                         FieldKind kind) {
  auto parsed = TagList::Parse(value);
  if (!parsed) return tl::unexpected(parsed.error());
  const TagList& tags = *parsed;
  if (auto ok = CheckRequiredTags(tags, kind); !ok) return tl::unexpected(ok.error());
  // RFC 6376 §6.1.1: v= must be 1. RFC 8617 §4.1.2: an AMS v= is an unknown tag, ignored.
  if (kind == FieldKind::kDkim && *tags.Find("v") != "1") {
    return Fail(ErrorCode::kBadVersion, "incompatible version v=" + Excerpt(*tags.Find("v")));
  }

  DkimSignature sig;
  auto algorithm = ParseAlgorithm(*tags.Find("a"), options);
  if (!algorithm) return tl::unexpected(algorithm.error());
  sig.algorithm = *algorithm;
  if (auto c = tags.Find("c")) {
    if (auto ok = ParseCanonicalization(*c, sig); !ok) return tl::unexpected(ok.error());
  }
  sig.domain = ToLower(*tags.Find("d"));
  sig.selector = std::string(*tags.Find("s"));
  if (sig.domain.empty()) return Fail(ErrorCode::kSyntax, "empty d=");
  if (sig.selector.empty()) return Fail(ErrorCode::kSyntax, "empty s=");
  if (!IsDomainName(sig.domain)) return Fail(ErrorCode::kSyntax, "d= is not a domain name");
  if (!IsDomainName(sig.selector)) return Fail(ErrorCode::kSyntax, "s= is not a selector");
  // RFC 8616 §5: a d= or s= written in U-labels is looked up (and aligned) as A-labels.
  for (auto [name, text] : {std::pair{"d=", &sig.domain}, std::pair{"s=", &sig.selector}}) {
    if (!HasNonAscii(*text)) continue;
    auto ascii = ToALabels(*text);
    if (!ascii) return Fail(ErrorCode::kSyntax, std::string(name) + " is " + ascii.error());
    *text = std::move(*ascii);
  }
  if (kind == FieldKind::kDkim) {
    if (auto ok = ParseIdentity(tags, sig); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = ParseHeaderList(*tags.Find("h"), options.max_signed_headers, sig); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = ParseOptionalNumbers(tags, sig); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckQueryMethods(tags); !ok) return tl::unexpected(ok.error());
  if (auto ok = DecodeHashes(tags, sig); !ok) return tl::unexpected(ok.error());

  sig.value_without_b = RemoveBValue(value, *tags.FindTag("b"));
  sig.ids = ExtractIds(value);
  sig.ids.domain = sig.domain;
  sig.ids.identity = sig.identity;
  return sig;
}

}  // namespace

Result<DkimSignature> ParseSignature(std::string_view value, const SignatureOptions& options) {
  return ParseSignatureField(value, options, FieldKind::kDkim);
}

Result<DkimSignature> ParseArcMessageSignature(std::string_view value,
                                               const SignatureOptions& options) {
  return ParseSignatureField(value, options, FieldKind::kArcMessage);
}

}  // namespace kenin::verifier
