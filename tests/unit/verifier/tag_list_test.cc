// RFC 6376 §3.2 tag=value lists: the grammar shared by signatures and key records. The
// offsets matter as much as the values: the header hash blanks b= in the raw bytes by them.
#include "verifier/tag_list.h"

#include <gtest/gtest.h>

#include <string>

namespace kenin::verifier {
namespace {

void ExpectError(std::string_view text, ErrorCode code, std::string_view reason) {
  SCOPED_TRACE(std::string(text));
  auto parsed = TagList::Parse(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, code);
  EXPECT_NE(parsed.error().detail.find(reason), std::string::npos) << parsed.error().detail;
}

TEST(TagList, ParsesTagsInOrderWithFwsTrimmed) {
  auto parsed = TagList::Parse(" v=1;  a = rsa-sha256 ;\r\n\td=example.com");
  ASSERT_TRUE(parsed) << parsed.error().detail;
  ASSERT_EQ(parsed->tags().size(), 3u);
  EXPECT_EQ(parsed->tags()[0].name, "v");
  EXPECT_EQ(parsed->tags()[1].name, "a");
  EXPECT_EQ(parsed->Find("a"), "rsa-sha256");
  EXPECT_EQ(parsed->Find("d"), "example.com");
}

TEST(TagList, KeepsInnerFwsOfValues) {
  auto parsed = TagList::Parse("b= abc\r\n def ;");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Find("b"), "abc\r\n def");
}

TEST(TagList, OffsetsPointIntoTheParsedText) {
  std::string_view text = "v=1; b=  QUJD\r\n\tREVG ; d=x";
  auto parsed = TagList::Parse(text);
  ASSERT_TRUE(parsed);
  const Tag* b = parsed->FindTag("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(text[b->equals_offset], '=');
  EXPECT_EQ(text.substr(b->equals_offset - 1, 1), "b");
  EXPECT_EQ(text.substr(b->value_offset, b->value.size()), "QUJD\r\n\tREVG");
}

TEST(TagList, EmptyListIsValid) {
  EXPECT_TRUE(TagList::Parse(""));
  EXPECT_TRUE(TagList::Parse("  \r\n "));
  EXPECT_TRUE(TagList::Parse("")->tags().empty());
}

TEST(TagList, TrailingSemicolonIsAllowed) {
  auto parsed = TagList::Parse("a=1; b=2; ");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->tags().size(), 2u);
}

TEST(TagList, EmptyValueIsAllowed) {
  auto parsed = TagList::Parse("p=; t=y");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Find("p"), "");
}

TEST(TagList, DuplicateTagInvalidatesTheList) {
  // RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur within a single tag-list".
  ExpectError("a=1; b=2; a=1", ErrorCode::kDuplicateTag, "duplicate tag 'a'");
}

TEST(TagList, TagNamesAreCaseSensitive) {
  auto parsed = TagList::Parse("a=1; A=2");
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->Find("a"), "1");
  EXPECT_EQ(parsed->Find("A"), "2");
}

TEST(TagList, AbsentTagIsNullopt) {
  auto parsed = TagList::Parse("a=1");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Find("b"), std::nullopt);
  EXPECT_EQ(parsed->FindTag("b"), nullptr);
}

TEST(TagList, TagWithoutEqualsIsSyntaxError) {
  ExpectError("a=1; t; p=x", ErrorCode::kSyntax, "without '='");
}

TEST(TagList, BadTagNameIsSyntaxError) {
  ExpectError("1a=x", ErrorCode::kSyntax, "bad tag name");
  ExpectError("a-b=x", ErrorCode::kSyntax, "bad tag name");
  ExpectError("=x", ErrorCode::kSyntax, "bad tag name");
}

TEST(TagList, UnderscoreAndDigitsAreAllowedAfterFirstLetter) {
  EXPECT_TRUE(TagList::Parse("x_1=a; X9=b"));
}

TEST(TagList, EmptyTagSpecInsideTheListIsSyntaxError) {
  ExpectError("a=1;; b=2", ErrorCode::kSyntax, "empty tag-spec");
}

TEST(TagList, ControlCharacterInValueIsSyntaxError) {
  ExpectError(std::string("a=x\x01y"), ErrorCode::kSyntax, "bad character in tag 'a'");
  ExpectError(std::string("a=x\x7fy"), ErrorCode::kSyntax, "bad character in tag 'a'");
}

TEST(TagList, TrimFwsRemovesOnlyTheEnds) {
  EXPECT_EQ(TrimFws(" \r\n\ta b\t"), "a b");
  EXPECT_EQ(TrimFws(" \t "), "");
}

TEST(TagList, StripFwsRemovesEveryFwsCharacter) { EXPECT_EQ(StripFws(" ab\r\n\tc d "), "abcd"); }

}  // namespace
}  // namespace kenin::verifier

namespace kenin::verifier {
namespace {

// Reasons quote input; a hostile record must not make them long or put octets into the
// Authentication-Results header.
TEST(Excerpt, CapsLengthAndEscapesNonPrintables) {
  EXPECT_EQ(Excerpt("abc"), "abc");
  EXPECT_EQ(Excerpt(std::string("a\0b\xff\n", 5)), "a\\x00b\\xff\\x0a");
  std::string long_input(1000, 'x');
  std::string excerpt = Excerpt(long_input);
  EXPECT_EQ(excerpt, std::string(kMaxExcerpt, 'x') + "...");
}

TEST(TagList, ReasonForGarbageIsShortAndPrintable) {
  std::string garbage(5000, 'z');
  garbage += std::string("\x01\x7f", 2);
  auto parsed = TagList::Parse(garbage);
  ASSERT_FALSE(parsed);
  EXPECT_LT(parsed.error().detail.size(), 80u);
  for (char c : parsed.error().detail) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

}  // namespace
}  // namespace kenin::verifier
