// From-field parsing in two passes. The lexer turns the field body into words (atoms,
// quoted strings), domain literals and specials, dropping CFWS: comments nest and may hold
// quoted-pairs (RFC 5322 §3.2.2), and folding whitespace only separates words. The parser
// then reads an address-list (§3.4), which covers the From mailbox-list and, leniently,
// groups too:
//   address   = mailbox / group            group    = display-name ":" [list] ";"
//   mailbox   = name-addr / addr-spec      name-addr = [display-name] angle-addr
//   angle-addr = "<" [obs-route] addr-spec ">"   addr-spec = local-part "@" domain
// Empty list elements (",,") are allowed as in obs-mbox-list (§4.4).
#include "policy/from_domain.h"

#include <algorithm>

#include "policy/dmarc.h"
#include "verifier/error.h"
#include "verifier/idna.h"

namespace kenin::policy {
namespace {

// Error texts become the DMARC permerror reason: input is quoted through an excerpt, so a
// hostile From (a 1 MB address literal, control octets) cannot make a reason long or unsafe.
using verifier::Excerpt;

enum class TokenKind { kWord, kLiteral, kSpecial };

struct Token {
  TokenKind kind;
  std::string text;  // a word's text; a literal's "[...]"; a special's one character
  bool quoted = false;  // a word read from a quoted-string: a local-part or phrase, never a domain
  bool Is(char special) const { return kind == TokenKind::kSpecial && text[0] == special; }
};

using Tokens = std::vector<Token>;
using Error = tl::unexpected<std::string>;

bool IsSpecial(char c) {
  return std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos;
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Skips a comment starting at text[i] == '('; returns the index after it, or npos.
size_t SkipComment(std::string_view text, size_t i) {
  int depth = 0;
  for (; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;  // quoted-pair
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Reads a quoted string or domain literal starting at text[i]; returns the index after the
// closing character, or npos.
size_t ReadDelimited(std::string_view text, size_t i, char close, std::string& out) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[++i];
    } else if (text[i] == close) {
      return i + 1;
    } else if (text[i] != '\r' && text[i] != '\n') {
      out += text[i];
    }
  }
  return std::string_view::npos;
}

tl::expected<Tokens, std::string> Lex(std::string_view text) {
  Tokens tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (IsSpace(c)) {
      ++i;
    } else if (c == '(') {
      i = SkipComment(text, i);
      if (i == std::string_view::npos) return Error("unterminated comment");
    } else if (c == '"' || c == '[') {
      Token token{c == '"' ? TokenKind::kWord : TokenKind::kLiteral, c == '[' ? "[" : "",
                  c == '"'};
      i = ReadDelimited(text, i, c == '"' ? '"' : ']', token.text);
      if (i == std::string_view::npos) {
        return Error(c == '"' ? "unterminated quoted string" : "unterminated [");
      }
      tokens.push_back(std::move(token));
    } else if (c == ')' || c == ']' || c == '\\') {
      return Error(std::string("unexpected '") + c + "'");
    } else if (IsSpecial(c)) {
      tokens.push_back({TokenKind::kSpecial, std::string(1, c)});
      ++i;
    } else {
      size_t end = i;
      while (end < text.size() && !IsSpace(text[end]) && !IsSpecial(text[end])) ++end;
      tokens.push_back({TokenKind::kWord, std::string(text.substr(i, end - i))});
      i = end;
    }
  }
  return tokens;
}

std::string ToLowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// domain = dot-atom / obs-domain (atom *("." atom)); a domain-literal names no DMARC domain,
// and a quoted-string is no atom (RFC 5322 §3.4.1): `a@"example.com"` has no domain.
tl::expected<std::string, std::string> JoinDomain(const Tokens& tokens, size_t begin, size_t end) {
  if (begin == end) return Error("empty domain");
  std::string domain;
  bool want_word = true;
  for (size_t i = begin; i < end; ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::kLiteral) {
      return Error("address literal " + Excerpt(t.text + "]") + " has no domain");
    }
    if (t.kind == TokenKind::kWord && !t.quoted && want_word) {
      domain += t.text;
    } else if (t.Is('.') && !want_word) {
      domain += '.';
    } else {
      return Error("malformed domain after '@'");
    }
    want_word = !want_word;
  }
  if (!domain.empty() && domain.back() == '.') domain.pop_back();  // absolute form "example.com."
  // RFC 8616 §6: an internationalized From domain (RFC 6532) is looked up and aligned in its
  // A-label form.
  auto ascii = verifier::ToALabels(domain);
  if (!ascii) return Error("domain " + ascii.error());
  if (ascii->empty() || ascii->size() > 253) return Error("bad domain length");
  return ToLowerAscii(std::move(*ascii));
}

bool IsEnd(const Tokens& tokens, size_t i) {
  return i >= tokens.size() || tokens[i].Is(',') || tokens[i].Is(';');
}

// Reads "<" [obs-route] addr-spec ">" starting at tokens[i] == '<'; advances i past '>'.
tl::expected<std::string, std::string> ReadAngleAddr(const Tokens& tokens, size_t& i) {
  size_t close = i + 1;
  while (close < tokens.size() && !tokens[close].Is('>')) ++close;
  if (close == tokens.size()) return Error("unterminated <");
  size_t begin = i + 1;
  for (size_t k = begin; k < close; ++k) {
    if (tokens[k].Is(':')) begin = k + 1;  // obs-route "@a,@b:" (RFC 5322 §4.4)
  }
  size_t at = close;
  for (size_t k = begin; k < close; ++k) {
    if (tokens[k].Is('@')) at = k;
  }
  i = close + 1;
  if (begin == close) return Error("empty address <>");
  if (at == close || at == begin) return Error("address without local-part@domain");
  return JoinDomain(tokens, at + 1, close);
}

// Reads local-part "@" domain where tokens[at] == '@'; advances i past the domain.
tl::expected<std::string, std::string> ReadAddrSpec(const Tokens& tokens, size_t start, size_t at,
                                                    size_t& i) {
  if (at == start) return Error("empty local-part");
  i = at + 1;
  while (!IsEnd(tokens, i) && !tokens[i].Is('<') && !tokens[i].Is('@')) ++i;
  return JoinDomain(tokens, at + 1, i);
}

struct ListParser {
  const Tokens& tokens;
  size_t i = 0;
  bool in_group = false;
  std::vector<std::string> domains;

  // One list element: a mailbox, a group opening, or a group close.
  tl::expected<void, std::string> Element() {
    if (tokens[i].Is(',')) {
      ++i;
      return {};
    }
    if (tokens[i].Is(';')) {
      if (!in_group) return Error("';' outside a group");
      in_group = false;
      ++i;
      return {};
    }
    size_t start = i;
    while (i < tokens.size() && (tokens[i].kind == TokenKind::kWord || tokens[i].Is('.'))) ++i;
    if (IsEnd(tokens, i)) return Error("no address in mailbox");
    if (tokens[i].Is(':')) {
      if (in_group) return Error("group inside a group");
      in_group = true;
      ++i;
      return {};
    }
    tl::expected<std::string, std::string> domain =
        Error("unexpected '" + Excerpt(tokens[i].text) + "'");
    if (tokens[i].Is('<')) {
      domain = ReadAngleAddr(tokens, i);
    } else if (tokens[i].Is('@')) {
      domain = ReadAddrSpec(tokens, start, i, i);
    }
    if (!domain) return Error(domain.error());
    if (!IsEnd(tokens, i)) return Error("text after address");
    domains.push_back(std::move(*domain));
    return {};
  }
};

}  // namespace

tl::expected<std::vector<std::string>, std::string> ParseFromDomains(std::string_view field_value) {
  tl::expected<Tokens, std::string> tokens = Lex(field_value);
  if (!tokens) return Error(tokens.error());
  ListParser parser{*tokens, 0, false, {}};
  while (parser.i < tokens->size()) {
    tl::expected<void, std::string> element = parser.Element();
    if (!element) return Error(element.error());
  }
  // A group left open at the end of the field is accepted: nothing follows it to misread.
  if (parser.domains.empty()) return Error("no mailbox");
  return parser.domains;
}

tl::expected<std::string, std::string> AuthorDomain(const std::vector<std::string>& from_values) {
  // RFC 5322 §3.6: exactly one From field; RFC 9989 §5.3.1: exactly one domain.
  if (from_values.empty()) return Error("no From field");
  if (from_values.size() > 1) return Error(std::to_string(from_values.size()) + " From fields");
  tl::expected<std::vector<std::string>, std::string> domains =
      ParseFromDomains(from_values.front());
  if (!domains) return Error("unparseable From: " + domains.error());
  for (const std::string& domain : *domains) {
    if (domain != domains->front()) {
      return Error("From has several domains: " + Excerpt(domains->front()) + ", " +
                   Excerpt(domain));
    }
  }
  return domains->front();
}

std::vector<std::string> FromDomains(const std::vector<std::string>& from_header_values) {
  std::vector<std::string> distinct;
  for (const std::string& value : from_header_values) {
    tl::expected<std::vector<std::string>, std::string> domains = ParseFromDomains(value);
    if (!domains) continue;
    for (std::string& domain : *domains) {
      if (std::find(distinct.begin(), distinct.end(), domain) == distinct.end()) {
        distinct.push_back(std::move(domain));
      }
    }
  }
  return distinct;
}

}  // namespace kenin::policy
