// SPF macro-strings (RFC 7208 §7): validation, expansion and SpfTargetName.
// Properties: expansion succeeds exactly when the string is valid for its context; every
// valid domain macro-string is also a valid explain-string (§7.1 grammar inclusion); text
// without '%' expands to itself; the output is bounded by the input and the values (no
// transformer multiplies it: at most 3x a value per macro, for URL escaping); UsesSpfPtrMacro
// implies a %{p}; SpfTargetName gives at most 253 octets of 1..63-octet labels.
// Input: context and the macro values (FuzzedDataProvider), then the macro-string.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "policy/spf_macro.h"

using kenin::fuzz::Check;
namespace p = kenin::policy;

namespace {

void CheckTargetName(std::string_view expanded) {
  auto name = p::SpfTargetName(expanded);
  if (!name) return;
  Check(!name->empty() && name->size() <= 253, "target name length", *name);
  Check(name->back() != '.', "target name has no trailing dot", *name);
  size_t start = 0;
  while (true) {
    size_t dot = name->find('.', start);
    size_t end = dot == std::string::npos ? name->size() : dot;
    Check(end > start && end - start <= 63, "target label 1..63 octets", *name);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const auto context =
      input.ConsumeBool() ? p::SpfMacroContext::kExplanation : p::SpfMacroContext::kDomain;
  std::string strings[7];
  for (std::string& s : strings) s = input.ConsumeRandomLengthString(80);
  p::SpfMacroValues values{.sender = strings[0],
                           .local_part = strings[1],
                           .sender_domain = strings[2],
                           .domain = strings[3],
                           .helo = strings[4],
                           .receiver = strings[5],
                           .validated_name = strings[6]};
  values.ip.v6 = input.ConsumeBool();
  for (uint8_t& b : values.ip.bytes) b = input.ConsumeIntegral<uint8_t>();
  values.now = input.ConsumeIntegral<int64_t>();
  const std::string text = input.ConsumeRemainingBytesAsString();

  const bool valid = p::IsValidSpfMacroString(text, context);
  if (p::IsValidSpfMacroString(text, p::SpfMacroContext::kDomain)) {
    Check(p::IsValidSpfMacroString(text, p::SpfMacroContext::kExplanation),
          "a domain macro-string is an explain-string", text);
  }
  if (p::UsesSpfPtrMacro(text)) {
    Check(text.find("%{p") != std::string::npos || text.find("%{P") != std::string::npos,
          "UsesSpfPtrMacro implies %{p}", text);
  }
  auto expanded = p::ExpandSpfMacros(text, values, context);
  Check(expanded.has_value() == valid, "expands iff valid", text);
  if (!expanded) return 0;
  if (text.find('%') == std::string::npos) Check(*expanded == text, "no macro: identity", text);
  size_t longest = 72;  // %{i} of IPv6 (63) and %{t} (20) fit
  for (const std::string& s : strings) longest = std::max(longest, s.size());
  const size_t macros = static_cast<size_t>(std::count(text.begin(), text.end(), '%'));
  Check(expanded->size() <= text.size() * 2 + macros * 3 * longest, "expansion bounded", text);
  if (context == p::SpfMacroContext::kDomain && p::IsValidSpfDomainSpec(text)) {
    CheckTargetName(*expanded);
  }
  return 0;
}
