#include "verifier/tag_list.h"

#include <string>

namespace kenin::verifier {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 6376 §3.2: tag-name = ALPHA *ALNUMPUNC; ALNUMPUNC = ALPHA / DIGIT / "_".
bool IsTagName(std::string_view name) {
  if (name.empty() || !IsAlpha(name[0])) return false;
  for (char c : name) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

// RFC 6376 §3.2: VALCHAR = %x21-3A / %x3C-7E, runs separated by FWS. 8-bit octets are
// tolerated (RFC 6376 §3.2 permits them in some values via quoted-printable only, but
// rejecting them here would turn a cosmetic oddity into a permerror for the whole list).
bool IsValueChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u != ';' && u != 0x7f) || IsFws(c);
}

}  // namespace

std::string Excerpt(std::string_view input) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < input.size() && i < kMaxExcerpt; ++i) {
    auto u = static_cast<unsigned char>(input[i]);
    if (u >= 0x20 && u < 0x7f) {
      out += input[i];
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  if (input.size() > kMaxExcerpt) out += "...";
  return out;
}

std::string_view TrimFws(std::string_view text) {
  while (!text.empty() && IsFws(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsFws(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string> SplitColonList(std::string_view text) {
  std::vector<std::string> items;
  size_t pos = 0;
  while (true) {
    size_t colon = text.find(':', pos);
    items.emplace_back(TrimFws(text.substr(pos, colon == std::string_view::npos ? text.npos : colon - pos)));
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
  }
  return items;
}

std::string StripFws(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Runs between FWS are appended whole: a folded b= value is a few long runs.
  for (size_t i = 0; i < text.size();) {
    size_t end = i;
    while (end < text.size() && !IsFws(text[end])) ++end;
    out.append(text.substr(i, end - i));
    while (end < text.size() && IsFws(text[end])) ++end;
    i = end;
  }
  return out;
}

Result<TagList> TagList::Parse(std::string_view text) {
  TagList list;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view spec = text.substr(pos, end - pos);
    size_t spec_offset = pos;
    pos = end + 1;

    if (TrimFws(spec).empty()) {
      // A trailing ";" is allowed (RFC 6376 §3.2); an empty spec elsewhere is not.
      if (end >= text.size() || TrimFws(text.substr(end + 1)).empty()) break;
      return Fail(ErrorCode::kSyntax, "empty tag-spec");
    }
    size_t eq = spec.find('=');
    if (eq == std::string_view::npos) {
      return Fail(ErrorCode::kSyntax, "tag without '=': '" + Excerpt(TrimFws(spec)) + "'");
    }
    std::string_view name = TrimFws(spec.substr(0, eq));
    if (!IsTagName(name)) return Fail(ErrorCode::kSyntax, "bad tag name '" + Excerpt(name) + "'");

    std::string_view raw_value = spec.substr(eq + 1);
    size_t lead = 0;
    while (lead < raw_value.size() && IsFws(raw_value[lead])) ++lead;
    std::string_view value = TrimFws(raw_value);
    for (char c : value) {
      if (!IsValueChar(c)) return Fail(ErrorCode::kSyntax, "bad character in tag '" + Excerpt(name) + "'");
    }
    if (list.FindTag(name) != nullptr) {
      // RFC 6376 §3.2: a duplicated tag name invalidates the entire tag-list.
      return Fail(ErrorCode::kDuplicateTag, "duplicate tag '" + Excerpt(name) + "'");
    }
    list.tags_.push_back(Tag{name, value, spec_offset + eq + 1 + lead, spec_offset + eq});
    if (end >= text.size()) break;
  }
  return list;
}

const Tag* TagList::FindTag(std::string_view name) const {
  for (const Tag& tag : tags_) {
    if (tag.name == name) return &tag;
  }
  return nullptr;
}

std::optional<std::string_view> TagList::Find(std::string_view name) const {
  const Tag* tag = FindTag(name);
  if (tag == nullptr) return std::nullopt;
  return tag->value;
}

}  // namespace kenin::verifier
