#include "tools/keycheck_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "dns/zone_resolver.h"
#include "tools/keys.h"

namespace kenin::tools {
namespace {

bool Mentions(const std::vector<std::string>& lines, std::string_view text) {
  for (const std::string& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string RsaRecord(unsigned bits) {
  auto key = GenerateKey(KeyKind::kRsa, bits);
  return PublicKeyRecord(key->get());
}

TEST(Keycheck, A2048BitKeyIsUsableWithoutAdvice) {
  KeyFinding f = LintKeyRecord(RsaRecord(2048));
  EXPECT_TRUE(f.usable);
  EXPECT_EQ(f.type, "rsa");
  EXPECT_EQ(f.bits, 2048u);
  EXPECT_TRUE(f.problems.empty());
  EXPECT_TRUE(f.advice.empty());
}

TEST(Keycheck, A1024BitKeyIsUsableButAdvisedToRotate) {
  KeyFinding f = LintKeyRecord(RsaRecord(1024));
  EXPECT_TRUE(f.usable);
  EXPECT_TRUE(Mentions(f.advice, "rotate"));
}

TEST(Keycheck, A512BitKeyIsUnusable) {
  // The 512-bit key of the Mail::DKIM corpus (messiah.edu test1), which OpenSSL 3 will not
  // generate for us.
  KeyFinding f = LintKeyRecord(
      "v=DKIM1; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALgSoqXVSEmfcIsOzw7oRuCCOwsmtX/SJnTWxYyj2leFxfS/"
      "AVJ+dYfY+hXqMsT7l+MZvvh/R1WzN4MO/kI/7XsCAwEAAQ==");
  EXPECT_FALSE(f.usable);
  EXPECT_TRUE(Mentions(f.problems, "RFC 8301")) << (f.problems.empty() ? "" : f.problems[0]);
}

TEST(Keycheck, RevokedAndGarbageRecordsAreUnusableWithTheReason) {
  EXPECT_TRUE(Mentions(LintKeyRecord("v=DKIM1; p=").problems, "revoked"));
  KeyFinding garbage = LintKeyRecord("hello world");
  EXPECT_FALSE(garbage.usable);
  EXPECT_FALSE(garbage.problems.empty());
  EXPECT_FALSE(LintKeyRecord("v=DKIM1; k=rsa; p=!!!!").usable);
}

TEST(Keycheck, FlagsAndTagsGiveAdvice) {
  std::string record = RsaRecord(2048);
  KeyFinding testing = LintKeyRecord(record + "; t=y");
  EXPECT_TRUE(testing.usable);
  EXPECT_TRUE(Mentions(testing.advice, "t=y"));
  KeyFinding no_version = LintKeyRecord(record.substr(std::string("v=DKIM1; ").size()) + "; zz=1");
  EXPECT_TRUE(Mentions(no_version.advice, "v=DKIM1"));
  EXPECT_TRUE(Mentions(no_version.advice, "zz="));
}

TEST(Keycheck, KeyThatExcludesSha256OrEmailIsUnusable) {
  std::string record = RsaRecord(2048);
  EXPECT_TRUE(Mentions(LintKeyRecord(record + "; h=sha1").problems, "sha256"));
  EXPECT_TRUE(Mentions(LintKeyRecord(record + "; s=tlsrpt").problems, "email"));
}

TEST(Keycheck, FetchesThroughTheResolverAndReportsAbsence) {
  std::string zone_text = ZoneLine("good", "example.com", RsaRecord(2048)) + "\n" +
                          ZoneLine("two", "example.com", RsaRecord(2048)) + "\n" +
                          ZoneLine("two", "example.com", "v=DKIM1; p=") + "\n";
  auto zone = dns::ZoneResolver::FromText(zone_text, "keys");
  ASSERT_TRUE(zone) << zone.error().detail;
  EXPECT_TRUE(CheckKey("good", "example.com", *zone).usable());
  KeyReport missing = CheckKey("nope", "example.com", *zone);
  EXPECT_FALSE(missing.usable());
  EXPECT_NE(missing.lookup_error.find("NXDOMAIN"), std::string::npos);
  KeyReport two = CheckKey("two", "example.com", *zone);
  EXPECT_EQ(two.findings.size(), 2u);
  EXPECT_TRUE(two.usable());  // one usable record is enough

  std::ostringstream out;
  KeycheckOptions options{"nope", "example.com", "json"};
  EXPECT_FALSE(RunKeycheck(options, *zone, out));
  EXPECT_NE(out.str().find("\"usable\":false"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace kenin::tools
