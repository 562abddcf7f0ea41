// The Public Suffix List through libpsl, for the RFC 7489 Organizational Domain (§3.2):
// the public suffix of a domain plus one label. Thread-safety: immutable after loading.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace kenin::policy {

class PublicSuffixList {
 public:
  // Loads a list in PSL file format; nullptr when the file cannot be read.
  static std::unique_ptr<PublicSuffixList> Load(const std::string& path);
  // Debian's list (package publicsuffix), /usr/share/publicsuffix/public_suffix_list.dat.
  static std::unique_ptr<PublicSuffixList> System();
  ~PublicSuffixList();

  // The Organizational Domain of `domain` (lower-cased, no trailing dot). A domain that is
  // itself a public suffix is its own Organizational Domain.
  std::string OrganizationalDomain(std::string_view domain) const;

 private:
  explicit PublicSuffixList(psl_ctx_st* ctx) : ctx_(ctx) {}
  psl_ctx_st* ctx_;
};

}  // namespace kenin::policy
