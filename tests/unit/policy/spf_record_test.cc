// SPF record selection and parsing (RFC 7208 §4.5, §4.6.1, §5, §6).
#include "policy/spf_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kenin::policy {
namespace {

SpfRecord Parse(const std::string& text) {
  auto record = ParseSpfRecord(text);
  EXPECT_TRUE(record.has_value()) << text << ": " << (record ? "" : record.error().detail);
  return record ? *record : SpfRecord{};
}

bool Rejects(const std::string& text) { return !ParseSpfRecord(text).has_value(); }

TEST(SpfRecord, VersionMustEndAtSpaceOrEnd) {
  EXPECT_TRUE(IsSpfRecord("v=spf1"));
  EXPECT_TRUE(IsSpfRecord("v=spf1 -all"));
  EXPECT_TRUE(IsSpfRecord("V=SpF1 ~all"));  // §4.5: case-insensitive
  EXPECT_FALSE(IsSpfRecord("v=spf10"));
  EXPECT_FALSE(IsSpfRecord("v=spf1mx"));
  EXPECT_FALSE(IsSpfRecord(" v=spf1"));
  EXPECT_FALSE(IsSpfRecord("v=spf2.0/pra"));
  EXPECT_FALSE(IsSpfRecord(""));
}

TEST(SpfRecord, EmptyRecordHasNoTerms) {
  SpfRecord r = Parse("v=spf1");
  EXPECT_TRUE(r.mechanisms.empty());
  EXPECT_FALSE(r.redirect);
  EXPECT_FALSE(r.has_all);
}

TEST(SpfRecord, QualifiersAndDefaults) {
  SpfRecord r = Parse("v=spf1 +a -mx ~ptr ?all include:x.example");
  ASSERT_EQ(r.mechanisms.size(), 5u);
  EXPECT_EQ(r.mechanisms[0].qualifier, SpfQualifier::kPass);
  EXPECT_EQ(r.mechanisms[1].qualifier, SpfQualifier::kFail);
  EXPECT_EQ(r.mechanisms[2].qualifier, SpfQualifier::kSoftFail);
  EXPECT_EQ(r.mechanisms[3].qualifier, SpfQualifier::kNeutral);
  EXPECT_EQ(r.mechanisms[4].qualifier, SpfQualifier::kPass);  // §4.6.2: default "+"
  EXPECT_TRUE(r.has_all);
  EXPECT_EQ(r.mechanisms[4].kind, SpfMechanismKind::kInclude);
  EXPECT_EQ(r.mechanisms[4].domain_spec, "x.example");
  EXPECT_EQ(r.mechanisms[4].text, "include:x.example");
}

TEST(SpfRecord, SpacesSeparateTermsAndMayTrail) {
  SpfRecord r = Parse("v=spf1  a   -all   ");
  EXPECT_EQ(r.mechanisms.size(), 2u);
}

TEST(SpfRecord, DualCidrLengths) {
  SpfRecord r = Parse("v=spf1 a/24//64 mx:m.example/16 a//48 a:x.example//0 mx");
  ASSERT_EQ(r.mechanisms.size(), 5u);
  EXPECT_EQ(r.mechanisms[0].cidr4, 24);
  EXPECT_EQ(r.mechanisms[0].cidr6, 64);
  EXPECT_EQ(r.mechanisms[0].domain_spec, "");
  EXPECT_EQ(r.mechanisms[1].domain_spec, "m.example");
  EXPECT_EQ(r.mechanisms[1].cidr4, 16);
  EXPECT_EQ(r.mechanisms[1].cidr6, 128);
  EXPECT_EQ(r.mechanisms[2].cidr4, 32);
  EXPECT_EQ(r.mechanisms[2].cidr6, 48);
  EXPECT_EQ(r.mechanisms[3].domain_spec, "x.example");
  EXPECT_EQ(r.mechanisms[3].cidr6, 0);
  EXPECT_EQ(r.mechanisms[4].cidr4, 32);
}

TEST(SpfRecord, BadCidrLengths) {
  for (const char* text :
       {"v=spf1 a/33", "v=spf1 a//129", "v=spf1 a/24/64", "v=spf1 a//64/24", "v=spf1 a/032",
        "v=spf1 a/", "v=spf1 a//", "v=spf1 mx/-1", "v=spf1 ip4:1.2.3.4/33",
        "v=spf1 ip4:1.2.3.4//32", "v=spf1 ip6:::1/129", "v=spf1 ip6:::1//64",
        "v=spf1 ip4:1.2.3.4/1000", "v=spf1 ptr/24", "v=spf1 exists:x.example/24",
        "v=spf1 include:x.example/24", "v=spf1 all/8"}) {
    EXPECT_TRUE(Rejects(text)) << text;
  }
}

TEST(SpfRecord, IpNetworks) {
  SpfRecord r = Parse("v=spf1 ip4:192.0.2.0/24 ip6:2001:DB8::/32 ip4:10.1.1.1 ip6:::1.2.3.4");
  ASSERT_EQ(r.mechanisms.size(), 4u);
  EXPECT_EQ(r.mechanisms[0].kind, SpfMechanismKind::kIp4);
  EXPECT_EQ(r.mechanisms[0].cidr4, 24);
  EXPECT_EQ(r.mechanisms[0].network, *ParseSpfIp4("192.0.2.0"));
  EXPECT_EQ(r.mechanisms[1].kind, SpfMechanismKind::kIp6);
  EXPECT_EQ(r.mechanisms[1].cidr6, 32);
  EXPECT_EQ(r.mechanisms[2].cidr4, 32);
  EXPECT_EQ(r.mechanisms[3].cidr6, 128);
}

TEST(SpfRecord, BadIpNetworks) {
  for (const char* text :
       {"v=spf1 ip4", "v=spf1 ip4:", "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4:25",
        "v=spf1 ip4:01.2.3.4", "v=spf1 ip4:::1", "v=spf1 ip6", "v=spf1 ip6:1.2.3.4",
        "v=spf1 ip6::CAFE::BABE", "v=spf1 ip6:1:2:3:4:5:6:7:8:9"}) {
    EXPECT_TRUE(Rejects(text)) << text;
  }
}

TEST(SpfRecord, DomainSpecsAreCheckedBeforeExpansion) {
  EXPECT_FALSE(Rejects("v=spf1 a:foo:bar/baz.example.com"));  // §7.1: any visible char
  EXPECT_FALSE(Rejects("v=spf1 a:foo.example.xn--zckzah"));   // toplabel with dashes
  EXPECT_FALSE(Rejects("v=spf1 exists:%{i}.%{l2r-}.user.%{d2}"));
  EXPECT_FALSE(Rejects("v=spf1 include:o.spf.example.com."));  // trailing dot
  EXPECT_FALSE(Rejects("v=spf1 a:mail.example...com"));        // syntax allows empty labels
  for (const char* text :
       {"v=spf1 a:museum", "v=spf1 a:museum.", "v=spf1 a:abc.123", "v=spf1 a:example.-com",
        "v=spf1 a:example.com-", "v=spf1 mx:example.com:8080",
        "v=spf1 a:", "v=spf1 mx:", "v=spf1 ptr:", "v=spf1 exists:", "v=spf1 exists",
        "v=spf1 include", "v=spf1 include:", "v=spf1 a:%{r}.example.com",
        "v=spf1 a:%{c}.example.com", "v=spf1 a:%{t}.example.com"}) {
    EXPECT_TRUE(Rejects(text)) << text;
  }
}

TEST(SpfRecord, Modifiers) {
  SpfRecord r = Parse("v=spf1 -all exp=explain.%{d} redirect=_spf.example.com moo.cow-x_y=a:b/c");
  EXPECT_EQ(r.exp, "explain.%{d}");
  EXPECT_EQ(r.redirect, "_spf.example.com");
  EXPECT_EQ(r.mechanisms.size(), 1u);
  SpfRecord upper = Parse("v=spf1 REDIRECT=x.example EXP=y.example");
  EXPECT_EQ(upper.redirect, "x.example");
  EXPECT_EQ(upper.exp, "y.example");
}

TEST(SpfRecord, BadModifiers) {
  for (const char* text :
       {"v=spf1 redirect=a.example redirect=b.example", "v=spf1 exp=a.example exp=b.example",
        "v=spf1 redirect=", "v=spf1 exp=", "v=spf1 exp=-all", "v=spf1 redirect=-all",
        "v=spf1 1up=foo", "v=spf1 =all", "v=spf1 foo=%abc", "v=spf1 foo=%{c}",
        "v=spf1 redirect:x.example", "v=spf1 moo.cow/far_out=man:dog/cat",
        "v=spf1 exp=%{r}.example.com"}) {
    EXPECT_TRUE(Rejects(text)) << text;
  }
}

TEST(SpfRecord, UnknownMechanismsAndCharactersAreErrors) {
  for (const char* text : {"v=spf1 moo", "v=spf1 -all.", "v=spf1 all:x", "v=spf1 prt", "v=spf1 +",
                           "v=spf1 a:x.com\r", "v=spf1 a\tmx",
                           "v=spf1 \x80"
                           "a",
                           "v=spf1 ip4:1.2.3.4\n"}) {
    EXPECT_TRUE(Rejects(text)) << text;
  }
}

TEST(SpfRecord, OnlyDnsTermsCount) {
  SpfRecord r = Parse("v=spf1 a mx ptr exists:x.example include:y.example ip4:1.2.3.4 ip6:::1 all");
  std::vector<bool> counted;
  for (const SpfMechanism& m : r.mechanisms) counted.push_back(m.QueriesDns());
  EXPECT_EQ(counted, (std::vector<bool>{true, true, true, true, true, false, false, false}));
}

TEST(SpfRecord, HugeRecordParsesInOnePass) {
  std::string text = "v=spf1";
  for (int i = 0; i < 5000; ++i) text += " ip4:10.0.0." + std::to_string(i % 256);
  EXPECT_EQ(Parse(text).mechanisms.size(), 5000u);
  EXPECT_TRUE(Rejects("v=spf1 " + std::string(100000, 'a')));
}

}  // namespace
}  // namespace kenin::policy
