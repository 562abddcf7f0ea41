#include "policy/auth_results.h"

#include <unistd.h>

#include <cctype>

#include "policy/dkim_local_policy.h"

namespace kenin::policy {
namespace {

// Room for a usual resinfo item ("dkim=pass header.d=... header.b=... (2048-bit rsa key)"),
// so building one appends without growing the string again and again.
constexpr size_t kUsualItemBytes = 192;

// RFC 2045 §5.1 token: any CHAR except SPACE, CTLs and tspecials.
bool IsTokenChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// RFC 8601 §2.2 pvalue also allows [local-part] "@" domain-name unquoted.
bool IsAddressLike(std::string_view value) {
  size_t at = value.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = value.substr(at + 1);
  for (char c : domain) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  for (char c : value.substr(0, at)) {
    if (!IsTokenChar(c) && c != '.') return false;
  }
  return !domain.empty();
}

// Reasons and property values go into a quoted-string. Quoted-pairs (\" and \\) are valid
// RFC 5322 but real parsers mishandle them (python3-authres keeps the backslashes,
// Mail::AuthenticationResults rejects the field), and an A-R field must stay ASCII unless the
// path is SMTPUTF8. So the text is made plain: '"' becomes '\'', '\' becomes '/', other
// non-printables '?'. Property values come from the message too (d=, s=, i= of a signature
// that did not parse, the From domain): a NUL or CTL there would truncate or break our field.
std::string PlainReason(std::string_view reason) {
  std::string out;
  out.reserve(reason.size());
  for (char c : reason) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"') {
      out += '\'';
    } else if (c == '\\') {
      out += '/';
    } else if (u < 0x20 || u >= 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

void AddProperty(std::string& item, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  item += ' ';
  item += name;
  item += '=';
  item += IsAddressLike(value) ? std::string(value) : QuoteIfNeeded(PlainReason(value));
}

void AddReason(std::string& item, std::string_view reason) {
  if (reason.empty()) return;
  item += " reason=";
  item += QuoteIfNeeded(PlainReason(reason));
}

// What RFC 8601 has no property for, as a comment (the OpenDKIM convention): the key's size
// and type, its DNSSEC status when the AD bit is trusted (policy/dkim_local_policy.h), and a
// pass whose l= left body content unsigned. It goes last, in the CFWS after the last pvalue
// (RFC 8601 §2.2), so "dkim=pass header.d=..." reads as before. Only our own words go in.
void AddKeyComment(std::string& item, const verifier::DkimVerdict& v) {
  std::string comment;
  auto add = [&comment](const std::string& part) {
    if (!comment.empty()) comment += ", ";
    comment += part;
  };
  if (v.ids.key_bits > 0) {
    std::string key = std::to_string(v.ids.key_bits) + "-bit";
    if (v.ids.key_type == "rsa" || v.ids.key_type == "ed25519") key += " " + v.ids.key_type;
    add(key + " key");
  }
  if (v.key_dnssec) add(*v.key_dnssec ? "dnssec=secure" : "dnssec=unsigned");
  if (v.result == verifier::DkimResult::kPass && v.body_truncated && v.body_length) {
    add(UnsignedBodyReason(*v.body_length));  // [dkim] unsigned_body = "pass"
  }
  if (!comment.empty()) item += " (" + comment + ")";
}

}  // namespace

std::string DefaultAuthservId() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string QuoteIfNeeded(std::string_view value) {
  bool token = !value.empty();
  for (char c : value) token = token && IsTokenChar(c);
  if (token) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n') continue;
    out += c;
  }
  out += '"';
  return out;
}

std::vector<std::string> DkimResinfo(std::span<const verifier::DkimVerdict> verdicts) {
  std::vector<std::string> items;
  if (verdicts.empty()) {
    items.emplace_back("dkim=none");  // SPEC §4: dkim=none when there is no signature
    return items;
  }
  for (const verifier::DkimVerdict& v : verdicts) {
    std::string item;
    item.reserve(kUsualItemBytes);  // one allocation for the properties appended below
    item += "dkim=";
    item += verifier::ToToken(v.result);
    AddReason(item, v.reason);
    AddProperty(item, "header.d", v.ids.domain);
    AddProperty(item, "header.i", v.ids.identity);
    AddProperty(item, "header.s", v.ids.selector);
    AddProperty(item, "header.a", v.ids.algorithm);
    AddProperty(item, "header.b", v.ids.b_prefix);  // RFC 6008 §2
    AddKeyComment(item, v);
    items.push_back(std::move(item));
  }
  return items;
}

std::string SpfResinfo(const SpfVerdict& verdict) {
  std::string item;
  item.reserve(kUsualItemBytes);
  item += "spf=";
  item += ToToken(verdict.result);
  if (verdict.result != SpfResult::kPass) AddReason(item, verdict.reason);
  // RFC 8601 §2.7.2: smtp.mailfrom for the MAIL FROM identity, smtp.helo for HELO.
  AddProperty(item, verdict.identity == "helo" ? "smtp.helo" : "smtp.mailfrom", verdict.domain);
  return item;
}

std::string DmarcResinfo(const DmarcVerdict& verdict) {
  std::string item;
  item.reserve(kUsualItemBytes);
  item += "dmarc=";
  item += ToToken(verdict.result);
  if (verdict.result != DmarcResult::kPass) AddReason(item, verdict.reason);
  if (verdict.policy) {
    // The policy found and what we decided, as a comment (the OpenDMARC/Gmail convention).
    item += " (p=" + std::string(ToToken(*verdict.policy)) +
            " dis=" + std::string(ToToken(verdict.disposition)) + ")";
  }
  AddProperty(item, "header.from", verdict.from_domain);
  return item;
}

std::string ArcResinfo(const arc::ArcVerdict& verdict, std::string_view client_ip) {
  std::string item = "arc=" + std::string(arc::ToToken(verdict.result));
  if (verdict.result != arc::ArcResult::kPass) AddReason(item, verdict.reason);
  if (verdict.oldest_pass) AddProperty(item, "header.oldest-pass", std::to_string(*verdict.oldest_pass));
  AddProperty(item, "smtp.remote-ip", client_ip);  // an IPv6 address is quoted (':')
  return item;
}

void AddArcOverride(std::string& dmarc_item, std::string_view sealer) {
  AddProperty(dmarc_item, "policy.arc-override", sealer);
}

std::string RenderAuthResults(std::string_view authserv_id, const std::vector<std::string>& items) {
  return FoldAuthResults(authserv_id, items, " ");
}

std::string FoldAuthResults(std::string_view authserv_id, const std::vector<std::string>& items,
                            std::string_view line_break) {
  std::string out(authserv_id);
  out += ';';
  if (items.empty()) return out + " none";  // RFC 8601 §2.2 no-result
  for (size_t i = 0; i < items.size(); ++i) {
    out += line_break;
    out += items[i];
    if (i + 1 < items.size()) out += ';';
  }
  return out;
}

}  // namespace kenin::policy
