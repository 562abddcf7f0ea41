// Record grammar (RFC 7208 §12, with §4.6.1): terms are separated by one or more SP and by
// nothing else; a term whose name (ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )) is followed
// by "=" is a modifier, anything else must be a known mechanism. "redirect" and "exp" are
// never unknown modifiers: a bad value for them is an error, not an ignored term.
#include "policy/spf_record.h"

#include <cctype>

#include "policy/spf_macro.h"

namespace kenin::policy {
namespace {

using Error = tl::unexpected<SpfSyntaxError>;

Error Fail(std::string detail) { return Error(SpfSyntaxError{std::move(detail)}); }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// Length of the modifier name when `term` is `name "=" ...`, else 0.
size_t ModifierNameLength(std::string_view term) {
  if (term.empty() || !std::isalpha(static_cast<unsigned char>(term[0]))) return 0;
  size_t i = 1;
  while (i < term.size() && IsNameChar(term[i])) ++i;
  return i < term.size() && term[i] == '=' ? i : 0;
}

// §5.6 ip4-cidr-length / ip6-cidr-length: "/" followed by 0 or a number without leading
// zeros (the suite's cidr4-032), at most `max`.
std::optional<int> ParseCidr(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// §5.3/§5.4 dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken from the
// end of `*rest` (a domain-spec may itself contain "/"). False when a length is malformed.
bool TakeDualCidr(std::string_view* rest, SpfMechanism* mech) {
  for (int round = 0; round < 2; ++round) {
    size_t slash = rest->rfind('/');
    if (slash == std::string_view::npos || !AllDigits(rest->substr(slash + 1))) return true;
    std::string_view digits = rest->substr(slash + 1);
    bool six = slash > 0 && (*rest)[slash - 1] == '/';
    if (six && round == 1) return false;  // "//n//m"
    auto value = ParseCidr(digits, six ? 128 : 32);
    if (!value) return false;
    (six ? mech->cidr6 : mech->cidr4) = *value;
    rest->remove_suffix(rest->size() - (six ? slash - 1 : slash));
    if (!six) return true;  // the ip4 length comes first, so nothing can precede it
  }
  return true;
}

// ":" domain-spec, required or optional; `rest` is what follows the mechanism name.
bool TakeDomainSpec(std::string_view rest, bool required, SpfMechanism* mech) {
  if (rest.empty()) return !required;
  if (rest[0] != ':') return false;
  rest.remove_prefix(1);
  if (!IsValidSpfDomainSpec(rest)) return false;
  mech->domain_spec = std::string(rest);
  return true;
}

// §5.6 ip4/ip6: ":" network [ "/" length ].
bool TakeNetwork(std::string_view rest, bool six, SpfMechanism* mech) {
  if (rest.empty() || rest[0] != ':') return false;
  rest.remove_prefix(1);
  size_t slash = rest.find('/');
  auto network = six ? ParseSpfIp6(rest.substr(0, slash)) : ParseSpfIp4(rest.substr(0, slash));
  if (!network) return false;
  mech->network = *network;
  if (slash == std::string_view::npos) return true;
  auto length = ParseCidr(rest.substr(slash + 1), six ? 128 : 32);
  if (!length) return false;
  (six ? mech->cidr6 : mech->cidr4) = *length;
  return true;
}

tl::expected<SpfMechanism, SpfSyntaxError> ParseMechanism(std::string_view term) {
  SpfMechanism mech;
  mech.text = std::string(term.substr(0, 80));
  if (std::string_view("+-~?").find(term[0]) != std::string_view::npos) {
    mech.qualifier = static_cast<SpfQualifier>(term[0]);
    term.remove_prefix(1);
  }
  size_t name_end = term.find_first_of(":/");
  std::string name = Lower(term.substr(0, name_end));
  std::string_view rest = name_end == std::string_view::npos ? "" : term.substr(name_end);
  bool ok = false;
  if (name == "all") {
    mech.kind = SpfMechanismKind::kAll;
    ok = rest.empty();  // §5.1 all = "all"
  } else if (name == "include" || name == "exists") {
    mech.kind = name == "include" ? SpfMechanismKind::kInclude : SpfMechanismKind::kExists;
    ok = TakeDomainSpec(rest, true, &mech);  // §5.2, §5.7: ":" domain-spec, no CIDR
  } else if (name == "a" || name == "mx") {
    mech.kind = name == "a" ? SpfMechanismKind::kA : SpfMechanismKind::kMx;
    ok = TakeDualCidr(&rest, &mech) && TakeDomainSpec(rest, false, &mech);  // §5.3, §5.4
  } else if (name == "ptr") {
    mech.kind = SpfMechanismKind::kPtr;
    ok = TakeDomainSpec(rest, false, &mech);  // §5.5: no CIDR
  } else if (name == "ip4" || name == "ip6") {
    mech.kind = name == "ip4" ? SpfMechanismKind::kIp4 : SpfMechanismKind::kIp6;
    ok = TakeNetwork(rest, name == "ip6", &mech);
  } else {
    return Fail("unknown mechanism '" + std::string(term.substr(0, 40)) + "'");
  }
  if (!ok) return Fail("malformed mechanism '" + std::string(term.substr(0, 80)) + "'");
  return mech;
}

// §6: redirect and exp at most once each, with a valid domain-spec; other modifiers are
// ignored but must still be a valid macro-string (Appendix A unknown-modifier).
std::optional<SpfSyntaxError> ApplyModifier(std::string_view term, size_t name_length,
                                            SpfRecord* record) {
  std::string name = Lower(term.substr(0, name_length));
  std::string_view value = term.substr(name_length + 1);
  if (name == "redirect" || name == "exp") {
    std::optional<std::string>& slot = name == "redirect" ? record->redirect : record->exp;
    if (slot) return SpfSyntaxError{"more than one " + name + "= modifier"};
    if (!IsValidSpfDomainSpec(value)) return SpfSyntaxError{"malformed " + name + "= modifier"};
    slot = std::string(value);
    return std::nullopt;
  }
  if (!IsValidSpfMacroString(value, SpfMacroContext::kDomain)) {
    return SpfSyntaxError{"malformed modifier '" + std::string(term.substr(0, 80)) + "'"};
  }
  return std::nullopt;
}

bool IsPrintableAscii(std::string_view term) {
  for (char c : term) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

bool SpfMechanism::QueriesDns() const {
  return kind == SpfMechanismKind::kInclude || kind == SpfMechanismKind::kA ||
         kind == SpfMechanismKind::kMx || kind == SpfMechanismKind::kPtr ||
         kind == SpfMechanismKind::kExists;
}

bool IsSpfRecord(std::string_view text) {
  if (text.size() < 6 || Lower(text.substr(0, 6)) != "v=spf1") return false;
  return text.size() == 6 || text[6] == ' ';
}

tl::expected<SpfRecord, SpfSyntaxError> ParseSpfRecord(std::string_view text) {
  SpfRecord record;
  std::string_view rest = text.substr(6);
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;  // §4.5: trailing spaces are allowed
    rest.remove_prefix(start);
    size_t end = rest.find(' ');
    std::string_view term = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    // §3.1, §4.6.1: US-ASCII only, and only SP separates terms (no tabs, CR, LF, NUL).
    if (!IsPrintableAscii(term)) return Fail("invalid character in term");
    if (size_t name_length = ModifierNameLength(term)) {
      if (auto error = ApplyModifier(term, name_length, &record)) return Error(*error);
      continue;
    }
    auto mech = ParseMechanism(term);
    if (!mech) return Error(mech.error());
    record.has_all |= mech->kind == SpfMechanismKind::kAll;
    record.mechanisms.push_back(std::move(*mech));
  }
  return record;
}

}  // namespace kenin::policy
