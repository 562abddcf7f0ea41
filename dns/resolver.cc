#include "dns/resolver.h"

#include <cctype>

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

std::string NormalizeName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace kenin::dns
