// ParseSignature (RFC 6376 §3.5, §6.1.1) on any DKIM-Signature field value.
// Properties: an accepted signature has what §6.1.1 requires (non-empty lower-case d=, s=,
// From in h= and no empty name, i= within d=, x= after t=, decoded b= and bh=); its
// value_without_b is the same tag list with b= emptied, nothing else changed, so parsing it
// fails on b= alone; ExtractIds keeps header.b to 8 characters; every error detail (and the
// permerror verdict made from it) is printable and bounded.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "verifier/signature.h"
#include "verifier/tag_list.h"

using kenin::fuzz::Check;
namespace v = kenin::verifier;

namespace {

void CheckAccepted(std::string_view text, const v::DkimSignature& sig) {
  Check(!sig.domain.empty() && v::ToLower(sig.domain) == sig.domain, "d= lower case", sig.domain);
  Check(!sig.selector.empty(), "s= not empty");
  Check(!sig.signature.empty() && !sig.body_hash.empty(), "b= and bh= decoded");
  bool has_from = false;
  for (const std::string& name : sig.signed_headers) {
    Check(!name.empty(), "no empty name in h=");
    has_from = has_from || v::EqualsIgnoreCase(name, "from");
  }
  Check(has_from, "From in h=");
  size_t at = sig.identity.rfind('@');
  Check(at != std::string::npos, "i= has '@'", sig.identity);
  Check(v::IsSameOrSubdomain(std::string_view(sig.identity).substr(at + 1), sig.domain),
        "i= within d=", sig.identity);
  if (sig.timestamp && sig.expiration) Check(*sig.expiration > *sig.timestamp, "x= after t=");
  Check(sig.ids.domain == sig.domain && sig.ids.identity == sig.identity, "ids match");

  // RFC 6376 §3.7: the header hash covers the field with b='s value removed, nothing else.
  auto original = v::TagList::Parse(text);
  auto blanked = v::TagList::Parse(sig.value_without_b);
  Check(original.has_value() && blanked.has_value(), "value_without_b parses", sig.value_without_b);
  Check(blanked->tags().size() == original->tags().size(), "value_without_b: same tags");
  for (size_t i = 0; i < blanked->tags().size(); ++i) {
    const v::Tag& before = original->tags()[i];
    const v::Tag& after = blanked->tags()[i];
    Check(before.name == after.name, "value_without_b: same names");
    Check(after.value == (after.name == "b" ? std::string_view() : before.value),
          "value_without_b: only b= emptied", after.name);
  }
  auto reparsed = v::ParseSignature(sig.value_without_b, {.allow_rsa_sha1 = true});
  Check(!reparsed && reparsed.error().code == v::ErrorCode::kBadBase64,
        "value_without_b fails on b= alone", sig.value_without_b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  v::SignatureIds ids = v::ExtractIds(text);
  Check(ids.b_prefix.size() <= 8, "header.b at most 8 characters", ids.b_prefix);
  for (bool allow_rsa_sha1 : {false, true}) {
    auto sig = v::ParseSignature(text, {.allow_rsa_sha1 = allow_rsa_sha1});
    if (sig) {
      CheckAccepted(text, *sig);
      continue;
    }
    kenin::fuzz::CheckReason(sig.error().detail, "ParseSignature");
    v::DkimVerdict verdict = v::ToVerdict(sig.error(), ids);
    Check(verdict.result == v::DkimResult::kPermError && !verdict.reason.empty(),
          "an error is a permerror with a reason");
    if (sig.error().code != v::ErrorCode::kWeakAlgorithm) break;
  }
  return 0;
}
