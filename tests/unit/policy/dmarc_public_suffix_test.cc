// The RFC 7489 Organizational Domain through libpsl (policy/public_suffix.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "policy/public_suffix.h"

namespace kenin::policy {
namespace {

std::unique_ptr<PublicSuffixList> SmallList() {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("kenin_psl_" + std::to_string(::getpid()) + ".dat");
  std::ofstream(path)
      << "// ===BEGIN ICANN DOMAINS===\ncom\nuk\nco.uk\njp\n*.kawasaki.jp\n"
         "!city.kawasaki.jp\n// ===END ICANN DOMAINS===\n"
         "// ===BEGIN PRIVATE DOMAINS===\ngithub.io\n// ===END PRIVATE DOMAINS===\n";
  std::unique_ptr<PublicSuffixList> list = PublicSuffixList::Load(path.string());
  std::filesystem::remove(path);
  return list;
}

TEST(PublicSuffixList, RegistrableDomainIsTheOrganizationalDomain) {
  auto psl = SmallList();
  ASSERT_NE(psl, nullptr);
  EXPECT_EQ(psl->OrganizationalDomain("mail.example.com"), "example.com");
  EXPECT_EQ(psl->OrganizationalDomain("News.Example.CO.UK."), "example.co.uk");
  EXPECT_EQ(psl->OrganizationalDomain("a.b.foo.kawasaki.jp"), "b.foo.kawasaki.jp");  // wildcard
  EXPECT_EQ(psl->OrganizationalDomain("www.city.kawasaki.jp"), "city.kawasaki.jp");  // exception
  EXPECT_EQ(psl->OrganizationalDomain("www.alice.github.io"), "alice.github.io");    // private
  EXPECT_EQ(psl->OrganizationalDomain("a.b.unlisted"), "b.unlisted");  // the implicit "*" rule
}

TEST(PublicSuffixList, APublicSuffixIsItsOwnOrganizationalDomain) {
  auto psl = SmallList();
  ASSERT_NE(psl, nullptr);
  EXPECT_EQ(psl->OrganizationalDomain("co.uk"), "co.uk");
  EXPECT_EQ(psl->OrganizationalDomain("github.io"), "github.io");
  EXPECT_EQ(psl->OrganizationalDomain("com"), "com");
}

TEST(PublicSuffixList, MissingFileIsNull) {
  EXPECT_EQ(PublicSuffixList::Load("/nonexistent/psl.dat"), nullptr);
}

TEST(PublicSuffixList, SystemListWhenInstalled) {
  if (!std::filesystem::exists("/usr/share/publicsuffix/public_suffix_list.dat")) {
    GTEST_SKIP() << "Debian package publicsuffix not installed";
  }
  auto psl = PublicSuffixList::System();
  ASSERT_NE(psl, nullptr);
  EXPECT_EQ(psl->OrganizationalDomain("www.bbc.co.uk"), "bbc.co.uk");
}

}  // namespace
}  // namespace kenin::policy
