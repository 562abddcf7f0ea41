#include "policy/public_suffix.h"

#include <libpsl.h>

namespace kenin::policy {

std::unique_ptr<PublicSuffixList> PublicSuffixList::Load(const std::string& path) {
  psl_ctx_t* ctx = psl_load_file(path.c_str());
  if (ctx == nullptr) return nullptr;
  return std::unique_ptr<PublicSuffixList>(new PublicSuffixList(ctx));
}

std::unique_ptr<PublicSuffixList> PublicSuffixList::System() {
  return Load("/usr/share/publicsuffix/public_suffix_list.dat");
}

PublicSuffixList::~PublicSuffixList() { psl_free(ctx_); }

std::string PublicSuffixList::OrganizationalDomain(std::string_view domain) const {
  std::string name(domain);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!name.empty() && name.back() == '.') name.pop_back();
  // RFC 7489 §3.2: the public suffix (longest matching rule, with wildcards, exceptions and
  // the implicit "*" rule) plus one label. libpsl returns a pointer into `name`, or null when
  // the name is itself a public suffix: then there is no "x+1th label" and we let the name
  // stand for itself (docs/dmarc.md).
  const char* registrable = psl_registrable_domain(ctx_, name.c_str());
  return registrable == nullptr ? name : std::string(registrable);
}

}  // namespace kenin::policy
