#include "verifier/dkim_result.h"

namespace kenin::verifier {

std::string_view ToToken(DkimResult result) {
  switch (result) {
    case DkimResult::kNone: return "none";
    case DkimResult::kPass: return "pass";
    case DkimResult::kFail: return "fail";
    case DkimResult::kPolicy: return "policy";
    case DkimResult::kNeutral: return "neutral";
    case DkimResult::kTempError: return "temperror";
    case DkimResult::kPermError: return "permerror";
  }
  return "permerror";
}

DkimVerdict ToVerdict(const Error& error, SignatureIds ids) {
  // RFC 8601 §2.7.1: every parser and key-policy failure is unrecoverable (permerror);
  // a later attempt would see the same bytes.
  DkimVerdict verdict;
  verdict.result = DkimResult::kPermError;
  verdict.reason = error.detail;
  verdict.ids = std::move(ids);
  return verdict;
}

}  // namespace kenin::verifier
