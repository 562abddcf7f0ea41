#include "dns/resolver.h"

namespace kenin::dns {

std::string_view ToString(RecordType type) {
  switch (type) {
    case RecordType::kA: return "A";
    case RecordType::kPtr: return "PTR";
    case RecordType::kMx: return "MX";
    case RecordType::kTxt: return "TXT";
    case RecordType::kAaaa: return "AAAA";
  }
  return "?";
}

AnswerFuture ReadyAnswer(Result<Answer> result) {
  std::promise<Result<Answer>> promise;
  promise.set_value(std::move(result));
  return promise.get_future().share();
}

void AppendNormalizedName(std::string_view name, std::string& out) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const size_t start = out.size();
  out.append(name);
  // RFC 4343 §3: DNS names compare case-insensitively in ASCII only; other octets as they are
  // (and whatever the C library's locale would say of them).
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
}

std::string NormalizeName(std::string_view name) {
  std::string out;
  AppendNormalizedName(name, out);
  return out;
}

}  // namespace kenin::dns
