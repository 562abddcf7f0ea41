// TagList::Parse (RFC 6376 §3.2), the grammar under DKIM-Signature fields and key records.
// Properties: a parsed list is exact about where its values are (text at value_offset is the
// value, text at equals_offset is '=': the header hash blanks b= by these offsets); names are
// unique and values have no FWS at either end; writing the list back as "name=value;" and
// parsing that gives the same tags (round trip); an error's detail is printable and bounded.
// SplitColonList: one item more than there are colons, each without ':' or FWS at its ends.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "verifier/tag_list.h"

using kenin::fuzz::Check;
using kenin::verifier::TagList;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  auto parsed = TagList::Parse(text);
  if (!parsed) {
    kenin::fuzz::CheckReason(parsed.error().detail, "TagList::Parse");
    return 0;
  }
  std::string written;
  for (const kenin::verifier::Tag& tag : parsed->tags()) {
    Check(text.substr(tag.value_offset, tag.value.size()) == tag.value, "value_offset", tag.name);
    Check(tag.equals_offset < text.size() && text[tag.equals_offset] == '=', "equals_offset");
    Check(parsed->FindTag(tag.name) == &tag, "tag names unique", tag.name);
    Check(kenin::verifier::TrimFws(tag.value) == tag.value, "value trimmed", tag.value);
    written.append(tag.name).append("=").append(tag.value).append(";");
  }
  auto again = TagList::Parse(written);
  Check(again.has_value(), "written list parses", written);
  Check(again->tags().size() == parsed->tags().size(), "round trip: tag count", written);
  for (size_t i = 0; i < again->tags().size(); ++i) {
    Check(again->tags()[i].name == parsed->tags()[i].name, "round trip: name", written);
    Check(again->tags()[i].value == parsed->tags()[i].value, "round trip: value", written);
  }
  for (const kenin::verifier::Tag& tag : parsed->tags()) {
    std::vector<std::string> items = kenin::verifier::SplitColonList(tag.value);
    Check(items.size() ==
              static_cast<size_t>(std::count(tag.value.begin(), tag.value.end(), ':')) + 1,
          "SplitColonList: item count", tag.value);
    for (const std::string& item : items) {
      Check(item.find(':') == std::string::npos, "SplitColonList: no ':' in an item", item);
      Check(kenin::verifier::TrimFws(item) == item, "SplitColonList: items trimmed", item);
    }
  }
  return 0;
}
