// Macro strings are parsed into parts (literal text, or one macro with its transformers)
// and the parts are then checked (domain-end) or expanded. One parser serves both, so the
// syntax accepted before evaluation is exactly what expansion understands.
#include "policy/spf_macro.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace kenin::policy {
namespace {

constexpr std::string_view kDelimiters = ".-+,/_=";  // §7.1 delimiter
constexpr int kMaxKeep = 1000;  // more parts than any name has; avoids overflow

struct MacroPart {
  std::string literal;      // literal text, or the expansion of %% %_ %-
  char letter = 0;          // lower-case macro letter; 0 for literal parts
  bool url_escape = false;  // upper-case letter (§7.3)
  int keep = 0;             // DIGIT transformer: right-hand parts to keep; 0 = all
  bool reverse = false;     // "r" transformer
  std::string delimiters;   // empty means "."
  bool expand = false;      // came from a macro-expand (including %% %_ %-)
};

bool IsMacroLetter(char lower, SpfMacroContext context) {
  if (std::string_view("slodipvh").find(lower) != std::string_view::npos) return true;
  // §7.2: "The following macro letters are allowed only in "exp" text: c, r, and t".
  return context == SpfMacroContext::kExplanation &&
         std::string_view("crt").find(lower) != std::string_view::npos;
}

// Parses the inside of "%{...}" from text[*pos] (just past the brace) to the closing brace.
bool ParseMacroExpand(std::string_view text, size_t* pos, SpfMacroContext context,
                      MacroPart* part) {
  size_t i = *pos;
  if (i >= text.size()) return false;
  char letter = text[i++];
  char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
  if (!IsMacroLetter(lower, context)) return false;
  part->letter = lower;
  part->url_escape = letter != lower;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    digits = true;
    part->keep = std::min(part->keep * 10 + (text[i++] - '0'), kMaxKeep);
  }
  if (digits && part->keep == 0) return false;  // §7.3: "the value MUST be nonzero"
  if (i < text.size() && (text[i] == 'r' || text[i] == 'R')) {
    part->reverse = true;
    ++i;
  }
  while (i < text.size() && kDelimiters.find(text[i]) != std::string_view::npos) {
    part->delimiters.push_back(text[i++]);
  }
  if (i >= text.size() || text[i] != '}') return false;
  *pos = i + 1;
  part->expand = true;
  return true;
}

void AppendLiteral(std::vector<MacroPart>* parts, std::string_view text, bool expand) {
  if (parts->empty() || parts->back().letter != 0 || parts->back().expand != expand || expand) {
    parts->push_back(MacroPart{});
    parts->back().expand = expand;
  }
  parts->back().literal.append(text);
}

// §7.1 macro-string / explain-string; false on any character or macro outside the grammar.
bool ParseParts(std::string_view text, SpfMacroContext context, std::vector<MacroPart>* parts) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '%') {
      // macro-literal = %x21-24 / %x26-7E; explain-string also allows SP.
      bool space_ok = c == ' ' && context == SpfMacroContext::kExplanation;
      if (!space_ok && (c < 0x21 || c > 0x7e)) return false;
      AppendLiteral(parts, text.substr(i, 1), false);
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return false;  // §7.1: a lone '%' is a syntax error
    char next = text[i + 1];
    if (next == '%' || next == '_' || next == '-') {  // §7.3 escapes
      AppendLiteral(parts, next == '%' ? "%" : next == '_' ? " " : "%20", true);
      i += 2;
      continue;
    }
    if (next != '{') return false;
    MacroPart part;
    i += 2;
    if (!ParseMacroExpand(text, &i, context, &part)) return false;
    parts->push_back(std::move(part));
  }
  return true;
}

// §7.1 toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool IsTopLabel(std::string_view label) {
  if (label.empty()) return false;
  bool alpha = false;
  bool dash = false;
  for (char c : label) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      alpha = true;
    } else if (c == '-') {
      dash = true;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  if (label.front() == '-' || label.back() == '-') return false;
  return alpha || dash;
}

std::string MacroValue(char letter, const SpfMacroValues& v) {
  switch (letter) {
    case 's':
      return std::string(v.sender);
    case 'l':
      return std::string(v.local_part);
    case 'o':
      return std::string(v.sender_domain);
    case 'd':
      return std::string(v.domain);
    case 'i':
      return SpfMacroI(v.ip);
    case 'p':
      return std::string(v.validated_name);
    case 'v':
      return v.ip.v6 ? "ip6" : "in-addr";
    case 'h':
      return std::string(v.helo);
    case 'c':
      return SpfMacroC(v.ip);
    case 'r':
      return std::string(v.receiver);
    case 't':
      return std::to_string(v.now);
  }
  return {};
}

// §7.3: split on the delimiters, optionally reverse, keep the right-hand parts, join with ".".
std::string Transform(const std::string& value, const MacroPart& part) {
  std::string_view delimiters =
      part.delimiters.empty() ? std::string_view(".") : std::string_view(part.delimiters);
  std::vector<std::string_view> pieces;
  std::string_view rest = value;
  while (true) {
    size_t cut = rest.find_first_of(delimiters);
    pieces.push_back(rest.substr(0, cut));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  if (part.reverse) std::reverse(pieces.begin(), pieces.end());
  size_t first = 0;
  if (part.keep > 0 && static_cast<size_t>(part.keep) < pieces.size()) {
    first = pieces.size() - static_cast<size_t>(part.keep);
  }
  std::string out;
  for (size_t i = first; i < pieces.size(); ++i) {
    if (i > first) out.push_back('.');
    out.append(pieces[i]);
  }
  return out;
}

// §7.3: upper-case macros are URL escaped: everything outside "unreserved" becomes %XX.
std::string UrlEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
  return out;
}

}  // namespace

bool IsValidSpfMacroString(std::string_view text, SpfMacroContext context) {
  std::vector<MacroPart> parts;
  return ParseParts(text, context, &parts);
}

bool IsValidSpfDomainSpec(std::string_view text) {
  std::vector<MacroPart> parts;
  if (!ParseParts(text, SpfMacroContext::kDomain, &parts) || parts.empty()) return false;
  if (parts.back().expand) return true;  // domain-end = macro-expand
  std::string_view tail = parts.back().literal;
  if (tail.back() == '.') tail.remove_suffix(1);  // domain-end = "." toplabel [ "." ]
  size_t dot = tail.rfind('.');
  return dot != std::string_view::npos && IsTopLabel(tail.substr(dot + 1));
}

bool UsesSpfPtrMacro(std::string_view text) {
  std::vector<MacroPart> parts;
  if (!ParseParts(text, SpfMacroContext::kExplanation, &parts)) return false;
  return std::any_of(parts.begin(), parts.end(),
                     [](const MacroPart& p) { return p.letter == 'p'; });
}

std::optional<std::string> ExpandSpfMacros(std::string_view text, const SpfMacroValues& values,
                                           SpfMacroContext context) {
  std::vector<MacroPart> parts;
  if (!ParseParts(text, context, &parts)) return std::nullopt;
  std::string out;
  for (const MacroPart& part : parts) {
    if (part.letter == 0) {
      out += part.literal;
      continue;
    }
    std::string value = Transform(MacroValue(part.letter, values), part);
    out += part.url_escape ? UrlEscape(value) : value;
  }
  return out;
}

std::optional<std::string> SpfTargetName(std::string_view expanded) {
  if (!expanded.empty() && expanded.back() == '.') expanded.remove_suffix(1);
  // §7.3: "if the expanded domain name exceeds 253 characters ... the left side is truncated
  // to fit, by removing successive domain labels (and their following dots)".
  while (expanded.size() > 253) {
    size_t dot = expanded.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    expanded.remove_prefix(dot + 1);
  }
  if (expanded.empty()) return std::nullopt;
  size_t start = 0;
  while (start <= expanded.size()) {
    size_t dot = expanded.find('.', start);
    size_t end = dot == std::string_view::npos ? expanded.size() : dot;
    if (end == start || end - start > 63) return std::nullopt;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return std::string(expanded);
}

}  // namespace kenin::policy
