// ParseFromDomains and AuthorDomain (RFC 5322 §3.4, §3.6.2; RFC 9989 §5.3.1) on any From
// field value. Properties: a parsed list is non-empty and each domain is 1..253 octets,
// ASCII lower case, without a trailing dot; AuthorDomain accepts exactly when every domain
// is the same and then returns it; error texts (the DMARC permerror reason) are printable
// and bounded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "policy/from_domain.h"

using kenin::fuzz::Check;
namespace p = kenin::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string value(kenin::fuzz::AsText(data, size));
  auto domains = p::ParseFromDomains(value);
  auto author = p::AuthorDomain({value});
  if (!author) kenin::fuzz::CheckReason(author.error(), "AuthorDomain");
  if (!domains) {
    kenin::fuzz::CheckReason(domains.error(), "ParseFromDomains");
    Check(!author, "AuthorDomain fails when the field does not parse");
    return 0;
  }
  Check(!domains->empty(), "a parsed From has a mailbox");
  bool one_domain = true;
  for (const std::string& domain : *domains) {
    Check(!domain.empty() && domain.size() <= 253, "domain length 1..253", domain);
    Check(domain.back() != '.', "no trailing dot", domain);
    for (char c : domain) Check(c < 'A' || c > 'Z', "domain lower case", domain);
    one_domain = one_domain && domain == domains->front();
  }
  Check(author.has_value() == one_domain, "AuthorDomain iff one domain", value);
  if (author) Check(*author == domains->front(), "AuthorDomain is that domain", *author);
  return 0;
}
