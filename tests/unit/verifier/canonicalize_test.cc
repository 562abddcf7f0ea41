// RFC 6376 §3.4.1/§3.4.2 header canonicalization, one field at a time. The field arrives
// as the MTA hands it: name without the colon, raw value with its leading space and folds.
#include "verifier/canonicalize.h"

#include <gtest/gtest.h>

#include <string>

namespace kenin::verifier {
namespace {

std::string Canon(Canonicalization c, std::string_view name, std::string_view value) {
  std::string out;
  AppendCanonicalHeader(c, name, value, out);
  return out;
}

std::string Relaxed(std::string_view name, std::string_view value) {
  return Canon(Canonicalization::kRelaxed, name, value);
}

std::string Simple(std::string_view name, std::string_view value) {
  return Canon(Canonicalization::kSimple, name, value);
}

// RFC 6376 §3.4.5: "A: X" and "B : Y<TAB><CRLF><SP>Z<SP><SP>" (the example's <CRLF><SP> is a
// fold). Relaxed gives "a:X" and "b:Y Z"; simple gives the bytes unchanged.
TEST(AppendCanonicalHeader, RelaxedMatchesRfc6376Example) {
  EXPECT_EQ(Relaxed("A", " X"), "a:X\r\n");
  EXPECT_EQ(Relaxed("B ", " Y\t\r\n Z  "), "b:Y Z\r\n");
}

TEST(AppendCanonicalHeader, SimpleMatchesRfc6376Example) {
  EXPECT_EQ(Simple("A", " X"), "A: X\r\n");
  EXPECT_EQ(Simple("B ", " Y\t\r\n Z  "), "B : Y\t\r\n Z  \r\n");
}

TEST(AppendCanonicalHeader, SimpleChangesNothing) {
  EXPECT_EQ(Simple("SUBJECT", "\tHello  World \r\n\tagain "),
            "SUBJECT:\tHello  World \r\n\tagain \r\n");
}

TEST(AppendCanonicalHeader, RelaxedLowercasesTheNameOnly) {
  EXPECT_EQ(Relaxed("Message-ID", " <ABC@Example.COM>"), "message-id:<ABC@Example.COM>\r\n");
}

TEST(AppendCanonicalHeader, RelaxedUnfoldsAndCollapsesWhitespace) {
  EXPECT_EQ(Relaxed("Subject", " a \t b\r\n\t c\r\n d"), "subject:a b c d\r\n");
}

TEST(AppendCanonicalHeader, RelaxedDropsWhitespaceAroundTheValue) {
  EXPECT_EQ(Relaxed("To", "\t  bob@example.net \t "), "to:bob@example.net\r\n");
}

TEST(AppendCanonicalHeader, RelaxedDropsWhitespaceBeforeTheColon) {
  EXPECT_EQ(Relaxed("From\t ", " x"), "from:x\r\n");
}

TEST(AppendCanonicalHeader, RelaxedEmptyValue) {
  EXPECT_EQ(Relaxed("X-Empty", ""), "x-empty:\r\n");
  EXPECT_EQ(Relaxed("X-Empty", " \r\n\t "), "x-empty:\r\n");
}

TEST(AppendCanonicalHeader, RelaxedLeavesNonWhitespaceOctetsAlone) {
  EXPECT_EQ(Relaxed("Subject", " caf\xc3\xa9  =?utf-8?q?x?="),
            "subject:caf\xc3\xa9 =?utf-8?q?x?=\r\n");
}

TEST(AppendCanonicalHeader, AppendsToWhatIsThere) {
  std::string out = "before\r\n";
  AppendCanonicalHeader(Canonicalization::kRelaxed, "A", " b", out);
  AppendCanonicalHeader(Canonicalization::kSimple, "C", " d", out);
  EXPECT_EQ(out, "before\r\na:b\r\nC: d\r\n");
}

TEST(Canonicalization, NamesAreTheTokensOfTheCTag) {
  EXPECT_EQ(ToString(Canonicalization::kSimple), "simple");
  EXPECT_EQ(ToString(Canonicalization::kRelaxed), "relaxed");
}

TEST(EqualsIgnoreCase, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("DKIM-Signature", "dkim-signature"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("from", "fro"));
  EXPECT_FALSE(EqualsIgnoreCase("from", "form"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));  // differ by 0x20 but are not letters
}

TEST(FieldNameEquals, IgnoresCaseAndWhitespaceBeforeTheColon) {
  EXPECT_TRUE(FieldNameEquals("Subject", "subject"));
  EXPECT_TRUE(FieldNameEquals("B ", "b"));  // RFC 6376 §3.4.5: "B : Y"
  EXPECT_TRUE(FieldNameEquals("DKIM-Signature\t ", "dkim-signature"));
  EXPECT_FALSE(FieldNameEquals(" B", "b"));  // WSP before a name is not a fold of the name
  EXPECT_FALSE(FieldNameEquals("Subjects", "subject"));
}

TEST(ToLower, LowercasesAsciiLettersOnly) {
  EXPECT_EQ(ToLower("Example.COM-1_\xc3\x89"), "example.com-1_\xc3\x89");
}

}  // namespace
}  // namespace kenin::verifier
