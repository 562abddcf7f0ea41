// RFC 8616: U-labels become A-labels; ASCII names pass through untouched.
#include "verifier/idna.h"

#include <gtest/gtest.h>

#include <string>

namespace kenin::verifier {
namespace {

TEST(Idna, AsciiNamesAreLeftAsTheyAre) {
  EXPECT_EQ(ToALabels("example.com"), "example.com");
  EXPECT_EQ(ToALabels("Example.COM"), "Example.COM");  // case is the caller's to fold
  EXPECT_EQ(ToALabels("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(ToALabels(""), "");
  EXPECT_EQ(ToALabels("not a domain!"), "not a domain!");  // syntax is the caller's to check
}

TEST(Idna, ULabelsBecomeLowerCaseALabels) {
  EXPECT_EQ(ToALabels("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(ToALabels("BÜCHER.Example"), "xn--bcher-kva.example");
  EXPECT_EQ(ToALabels("mail.bücher.example"), "mail.xn--bcher-kva.example");
  EXPECT_EQ(ToALabels("例え.テスト"), "xn--r8jz45g.xn--zckzah");
  // Non-transitional IDNA2008: ß is a letter of its own, not "ss".
  EXPECT_EQ(ToALabels("faß.de"), "xn--fa-hia.de");
  // NFC first: "u" + combining diaeresis is the same name as "ü".
  EXPECT_EQ(ToALabels("bu\xcc\x88" "cher.example"), "xn--bcher-kva.example");
}

TEST(Idna, InvalidNamesAreErrors) {
  EXPECT_FALSE(ToALabels("\xff\xfe.example"));                     // not UTF-8
  EXPECT_FALSE(ToALabels(std::string("b\xc3\xbc\0x.example", 11)));  // NUL
  EXPECT_FALSE(ToALabels("☃\xe2\x80\x8d.example"));               // ZWJ not allowed here
  EXPECT_FALSE(ToALabels(std::string(70, 'a') + "ü.example"));      // label over 63 octets
  const auto error = ToALabels("\xff.example");
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().rfind("not a valid internationalized domain name (", 0), 0u)
      << error.error();
}

TEST(Idna, NonAsciiIsDetected) {
  EXPECT_FALSE(HasNonAscii("example.com"));
  EXPECT_TRUE(HasNonAscii("bücher.example"));
}

}  // namespace
}  // namespace kenin::verifier
