// A small recursive-descent reader of RFC 8601 §2.2:
//   authres-header-field = authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
//   resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//   methodspec = method [ "/" version ] "=" result;  reasonspec = "reason" "=" value
//   propspec = ptype "." property "=" pvalue;  value = token / quoted-string
// CFWS includes nested comments (RFC 5322 §3.2.2).
#include "policy/auth_results_parser.h"

#include <cctype>

namespace kenin::policy {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool AtEnd() {
    SkipCfws();
    return pos_ >= text_.size();
  }
  bool Consume(char c) {
    SkipCfws();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char Peek() {
    SkipCfws();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  // A token (RFC 2045) or a quoted-string; also allows '@' and '/' inside so that pvalues
  // such as "user@example.com" read as one value.
  std::optional<std::string> Value(bool pvalue) {
    SkipCfws();
    if (pos_ < text_.size() && text_[pos_] == '"') return QuotedString();
    size_t start = pos_;
    while (pos_ < text_.size() && IsValueChar(text_[pos_], pvalue)) ++pos_;
    if (pos_ == start) return std::nullopt;
    return std::string(text_.substr(start, pos_ - start));
  }
  // A method, ptype or property name: letters, digits, '-' and '_' (and '.' inside names).
  std::string Word() {
    SkipCfws();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '-' || text_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

 private:
  static bool IsValueChar(char c, bool pvalue) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
    if (pvalue && (c == '@' || c == '/' || c == ':' || c == '=')) return true;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  }
  void SkipCfws() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        SkipComment();
      } else {
        return;
      }
    }
  }
  void SkipComment() {
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ < text_.size()) ++pos_;  // a quoted-pair; a '\\' at the very end stays inside
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return;
      }
    }
  }
  std::optional<std::string> QuotedString() {
    std::string out;
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && pos_ < text_.size()) c = text_[pos_++];
      if (c != '\r' && c != '\n') out += c;
    }
    return std::nullopt;  // unterminated
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::optional<ParsedResinfo> ReadResinfo(Reader& in) {
  ParsedResinfo info;
  info.method = Lower(in.Word());
  if (info.method.empty()) return std::nullopt;
  if (in.Consume('/')) in.Word();  // method version
  if (!in.Consume('=')) return std::nullopt;
  info.result = Lower(in.Word());
  if (info.result.empty()) return std::nullopt;
  while (!in.AtEnd() && in.Peek() != ';') {
    std::string ptype = Lower(in.Word());
    if (ptype.empty()) return std::nullopt;
    if (ptype == "reason" && in.Consume('=')) {
      auto reason = in.Value(false);
      if (!reason) return std::nullopt;
      info.reason = *reason;
      continue;
    }
    if (!in.Consume('.')) return std::nullopt;
    std::string property = Lower(in.Word());
    if (property.empty() || !in.Consume('=')) return std::nullopt;
    auto value = in.Value(true);
    if (!value) return std::nullopt;
    info.properties[ptype + "." + property] = *value;
  }
  return info;
}

}  // namespace

std::optional<std::string> ParseAuthservId(std::string_view value) {
  Reader in(value);
  auto id = in.Value(false);
  if (!id || id->empty()) return std::nullopt;
  return id;
}

std::optional<ParsedAuthResults> ParseAuthResults(std::string_view value) {
  Reader in(value);
  ParsedAuthResults parsed;
  auto id = in.Value(false);
  if (!id) return std::nullopt;
  parsed.authserv_id = *id;
  if (std::isdigit(static_cast<unsigned char>(in.Peek()))) in.Word();  // authres-version
  if (!in.Consume(';')) return in.AtEnd() ? std::optional(parsed) : std::nullopt;
  if (Lower(in.Word()) == "none" && in.AtEnd()) return parsed;  // no-result
  Reader again(value);  // re-read from the start: "none" was really a method name
  again.Value(false);
  if (std::isdigit(static_cast<unsigned char>(again.Peek()))) again.Word();
  while (again.Consume(';')) {
    if (again.AtEnd()) break;  // a trailing ';'
    auto info = ReadResinfo(again);
    if (!info) return std::nullopt;
    parsed.results.push_back(std::move(*info));
  }
  if (!again.AtEnd()) return std::nullopt;
  return parsed;
}

}  // namespace kenin::policy
