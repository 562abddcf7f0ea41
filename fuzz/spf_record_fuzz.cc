// ParseSpfRecord (RFC 7208 §4.5, §4.6, §5, §6, §12) on any TXT record text.
// Properties: only text that IsSpfRecord() accepts is parsed (the documented precondition);
// an accepted record has CIDR lengths within 0..32 / 0..128, include/exists with a
// domain-spec, every domain-spec (mechanisms, redirect=, exp=) valid per §7.1, terms kept to
// 80 characters, has_all exactly when an "all" is there; SP runs are only separators (the
// record with every SP doubled parses to the same terms); errors are printable and bounded.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "policy/spf_macro.h"
#include "policy/spf_record.h"

using kenin::fuzz::Check;
namespace p = kenin::policy;

namespace {

bool SameTerms(const p::SpfRecord& a, const p::SpfRecord& b) {
  if (a.mechanisms.size() != b.mechanisms.size() || a.redirect != b.redirect || a.exp != b.exp) {
    return false;
  }
  for (size_t i = 0; i < a.mechanisms.size(); ++i) {
    const p::SpfMechanism& x = a.mechanisms[i];
    const p::SpfMechanism& y = b.mechanisms[i];
    if (x.kind != y.kind || x.qualifier != y.qualifier || x.domain_spec != y.domain_spec ||
        x.network != y.network || x.cidr4 != y.cidr4 || x.cidr6 != y.cidr6 || x.text != y.text) {
      return false;
    }
  }
  return true;
}

void CheckAccepted(const p::SpfRecord& record) {
  bool has_all = false;
  for (const p::SpfMechanism& m : record.mechanisms) {
    Check(m.cidr4 >= 0 && m.cidr4 <= 32 && m.cidr6 >= 0 && m.cidr6 <= 128, "CIDR in range", m.text);
    Check(m.text.size() <= 80, "term text at most 80", m.text);
    if (m.kind == p::SpfMechanismKind::kInclude || m.kind == p::SpfMechanismKind::kExists) {
      Check(!m.domain_spec.empty(), "include/exists have a domain-spec", m.text);
    }
    if (!m.domain_spec.empty()) {
      Check(p::IsValidSpfDomainSpec(m.domain_spec), "mechanism domain-spec valid", m.domain_spec);
    }
    has_all = has_all || m.kind == p::SpfMechanismKind::kAll;
  }
  Check(has_all == record.has_all, "has_all iff an all mechanism");
  if (record.redirect) Check(p::IsValidSpfDomainSpec(*record.redirect), "redirect= valid");
  if (record.exp) Check(p::IsValidSpfDomainSpec(*record.exp), "exp= valid");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  if (!p::IsSpfRecord(text)) return 0;
  auto record = p::ParseSpfRecord(text);
  std::string doubled;
  for (char c : text) doubled.append(c == ' ' ? 2 : 1, c);
  auto again = p::ParseSpfRecord(doubled);
  Check(record.has_value() == again.has_value(), "doubled SP: same outcome", text);
  if (!record) {
    kenin::fuzz::CheckReason(record.error().detail, "ParseSpfRecord");
    return 0;
  }
  CheckAccepted(*record);
  Check(SameTerms(*record, *again), "doubled SP: same terms", text);
  return 0;
}
