#include "policy/dmarc_record.h"

#include <gtest/gtest.h>

namespace kenin::policy {
namespace {

using Code = DmarcRecordError::Code;

DmarcRecord Parse(std::string_view text) {
  auto record = ParseDmarcRecord(text);
  EXPECT_TRUE(record.has_value()) << text << ": " << (record ? "" : record.error().detail);
  return record.value_or(DmarcRecord{});
}

Code ErrorOf(std::string_view text) {
  auto record = ParseDmarcRecord(text);
  EXPECT_FALSE(record.has_value()) << text;
  return record ? Code::kNotDmarc : record.error().code;
}

TEST(DmarcRecord, ParsesEveryTag) {
  DmarcRecord r = Parse(
      "v=DMARC1; p=quarantine; sp=reject; np=none; adkim=s; aspf=s; psd=n; t=y; pct=20; "
      "fo=0:d; rua=mailto:agg@example.com; ruf=mailto:f@example.com; rf=afrf; ri=3600");
  EXPECT_EQ(r.p, Disposition::kQuarantine);
  EXPECT_EQ(r.sp, Disposition::kReject);
  EXPECT_EQ(r.np, Disposition::kNone);
  EXPECT_EQ(r.adkim, Alignment::kStrict);
  EXPECT_EQ(r.aspf, Alignment::kStrict);
  EXPECT_EQ(r.psd, 'n');
  EXPECT_TRUE(r.testing);
  EXPECT_EQ(r.pct, 20);
  EXPECT_EQ(r.fo, "0:d");
  EXPECT_EQ(r.rua, "mailto:agg@example.com");
  EXPECT_EQ(r.ruf, "mailto:f@example.com");
  EXPECT_EQ(r.rf, "afrf");
  EXPECT_EQ(r.ri, "3600");
  EXPECT_TRUE(r.invalid_tags.empty());
  EXPECT_TRUE(r.ignored_segments.empty());
}

TEST(DmarcRecord, DefaultsWhenTagsAreAbsent) {
  DmarcRecord r = Parse("v=DMARC1");
  EXPECT_FALSE(r.p);
  EXPECT_FALSE(r.sp);
  EXPECT_FALSE(r.np);
  EXPECT_EQ(r.adkim, Alignment::kRelaxed);
  EXPECT_EQ(r.aspf, Alignment::kRelaxed);
  EXPECT_EQ(r.psd, 'u');
  EXPECT_FALSE(r.testing);
  EXPECT_EQ(r.pct, 100);
  EXPECT_FALSE(r.HasInvalid("p"));  // absent is not invalid
}

TEST(DmarcRecord, WithoutLeadingVersionItIsNotADmarcRecord) {
  EXPECT_EQ(ErrorOf("p=reject; v=DMARC1"), Code::kNotDmarc);  // v= not first
  EXPECT_EQ(ErrorOf("v=DMARC2; p=reject"), Code::kNotDmarc);
  EXPECT_EQ(ErrorOf("v=dmarc1; p=reject"), Code::kNotDmarc);  // the value is case-sensitive
  EXPECT_EQ(ErrorOf("V=DMARC1; p=reject"), Code::kNotDmarc);  // so is the tag name
  EXPECT_EQ(ErrorOf("v=DMARC1p=reject"), Code::kNotDmarc);
  EXPECT_EQ(ErrorOf("v=spf1 -all"), Code::kNotDmarc);
  EXPECT_EQ(ErrorOf("hello world"), Code::kNotDmarc);
  EXPECT_EQ(ErrorOf(""), Code::kNotDmarc);
  EXPECT_EQ(ErrorOf("v="), Code::kNotDmarc);
  EXPECT_FALSE(StartsWithDmarcVersion("site-verification=abc123"));
  EXPECT_TRUE(StartsWithDmarcVersion("v=DMARC1; p=none"));
}

TEST(DmarcRecord, DuplicateTagMakesTheRecordInvalid) {
  EXPECT_EQ(ErrorOf("v=DMARC1; p=none; p=reject"), Code::kDuplicateTag);
  EXPECT_EQ(ErrorOf("v=DMARC1; v=DMARC1; p=reject"), Code::kDuplicateTag);
  EXPECT_EQ(ErrorOf("v=DMARC1; foo=1; foo=2"), Code::kDuplicateTag);  // unknown tags too
  EXPECT_EQ(ParseDmarcRecord("v=DMARC1; p=none; p=reject").error().detail, "duplicate tag 'p'");
}

// The detail becomes the DMARC reason in our Authentication-Results header: a publisher's
// 64 KB tag name is quoted as an excerpt, not whole.
TEST(DmarcRecord, DuplicateTagDetailIsBounded) {
  const std::string name(10000, 'x');
  auto error = ParseDmarcRecord("v=DMARC1; " + name + "=1; " + name + "=2").error();
  EXPECT_EQ(error.code, Code::kDuplicateTag);
  EXPECT_EQ(error.detail, "duplicate tag '" + std::string(40, 'x') + "...'");
}

TEST(DmarcRecord, BadPolicyValuesAreNotedNotGuessed) {
  DmarcRecord r = Parse("v=DMARC1; p=bogus; sp=rejectx; np=; adkim=x; psd=maybe; t=yes");
  EXPECT_FALSE(r.p);
  EXPECT_FALSE(r.sp);
  EXPECT_TRUE(r.HasInvalid("p"));
  EXPECT_TRUE(r.HasInvalid("sp"));
  EXPECT_TRUE(r.HasInvalid("adkim"));
  EXPECT_TRUE(r.HasInvalid("psd"));
  EXPECT_TRUE(r.HasInvalid("t"));
  EXPECT_EQ(r.adkim, Alignment::kRelaxed);  // the default stays
  EXPECT_EQ(r.psd, 'u');
  EXPECT_FALSE(r.testing);
  EXPECT_EQ(r.ignored_segments, std::vector<std::string>{"np="});  // an empty value is no tag
}

TEST(DmarcRecord, GarbageSegmentsAreIgnored) {
  DmarcRecord r = Parse("v=DMARC1; p=reject; !!!; =x; foo; 1a=b; p q=r");
  EXPECT_EQ(r.p, Disposition::kReject);
  EXPECT_EQ(r.ignored_segments, (std::vector<std::string>{"!!!", "=x", "foo", "1a=b", "p q=r"}));
}

TEST(DmarcRecord, BinaryGarbageNeverCrashes) {
  static constexpr char kGarbage[] = "\0\xff\x01=\x7f;\xc3\xa9=1";
  std::string text = "v=DMARC1; p=reject; " + std::string(kGarbage, sizeof(kGarbage) - 1);
  DmarcRecord r = Parse(text);
  EXPECT_EQ(r.p, Disposition::kReject);
  EXPECT_EQ(r.ignored_segments.size(), 2u);
}

TEST(DmarcRecord, WhitespaceAroundSeparatorsAndTrailingSemicolon) {
  DmarcRecord r = Parse("  v = DMARC1 ;\tp = reject ; adkim = s ;  ");
  EXPECT_EQ(r.p, Disposition::kReject);
  EXPECT_EQ(r.adkim, Alignment::kStrict);
  EXPECT_TRUE(r.ignored_segments.empty());
}

TEST(DmarcRecord, ValuesAreCaseInsensitiveTagNamesAreNot) {
  DmarcRecord r = Parse("v=DMARC1; p=REJECT; adkim=S; Sp=none; PSD=y");
  EXPECT_EQ(r.p, Disposition::kReject);
  EXPECT_EQ(r.adkim, Alignment::kStrict);
  EXPECT_FALSE(r.sp);  // "Sp" is an unknown tag, ignored
  EXPECT_EQ(r.psd, 'u');
}

TEST(DmarcRecord, PctMustBeZeroToHundred) {
  EXPECT_EQ(Parse("v=DMARC1; pct=0").pct, 0);
  EXPECT_EQ(Parse("v=DMARC1; pct=100").pct, 100);
  DmarcRecord over = Parse("v=DMARC1; pct=101");
  EXPECT_EQ(over.pct, 100);
  EXPECT_TRUE(over.HasInvalid("pct"));
  EXPECT_TRUE(Parse("v=DMARC1; pct=-5").HasInvalid("pct"));
  EXPECT_TRUE(Parse("v=DMARC1; pct=5000").HasInvalid("pct"));
}

TEST(DmarcRecord, FoAndRiAreChecked) {
  EXPECT_FALSE(Parse("v=DMARC1; fo=1:s:d").HasInvalid("fo"));
  EXPECT_TRUE(Parse("v=DMARC1; fo=2").HasInvalid("fo"));
  EXPECT_TRUE(Parse("v=DMARC1; ri=daily").HasInvalid("ri"));
}

TEST(DmarcRecord, ReportUriValidity) {
  EXPECT_TRUE(HasValidReportUri("mailto:dmarc@example.com"));
  EXPECT_TRUE(HasValidReportUri("mailto:dmarc@example.com!10m"));
  EXPECT_TRUE(HasValidReportUri("bogus, mailto:dmarc@example.com"));
  EXPECT_TRUE(HasValidReportUri("https://report.example/dmarc"));
  EXPECT_FALSE(HasValidReportUri(""));
  EXPECT_FALSE(HasValidReportUri("dmarc@example.com"));
  EXPECT_FALSE(HasValidReportUri("mailto:"));
  EXPECT_FALSE(HasValidReportUri("1x:dmarc@example.com"));
  EXPECT_FALSE(HasValidReportUri("mailto:dmarc @example.com"));
}

TEST(DmarcRecord, OneLevelLess) {
  EXPECT_EQ(OneLevelLess(Disposition::kReject), Disposition::kQuarantine);
  EXPECT_EQ(OneLevelLess(Disposition::kQuarantine), Disposition::kNone);
  EXPECT_EQ(OneLevelLess(Disposition::kNone), Disposition::kNone);
  EXPECT_EQ(ToToken(Disposition::kQuarantine), "quarantine");
}

}  // namespace
}  // namespace kenin::policy
