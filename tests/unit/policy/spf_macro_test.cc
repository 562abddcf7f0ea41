// SPF macro syntax and expansion (RFC 7208 §7), with the examples of §7.4 as vectors.
#include "policy/spf_macro.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kenin::policy {
namespace {

// RFC 7208 §7.4: sender strong-bad@email.example.com, client 192.0.2.3.
SpfMacroValues Rfc7208Example(const std::string& ip = "192.0.2.3") {
  SpfMacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.helo = "mx.example.org";
  v.receiver = "mx.receiver.example";
  v.validated_name = "unknown";
  v.ip = *ParseSpfClientIp(ip);
  v.now = 1767225600;
  return v;
}

std::string Expand(const std::string& text, const SpfMacroValues& values,
                   SpfMacroContext context = SpfMacroContext::kDomain) {
  auto out = ExpandSpfMacros(text, values, context);
  EXPECT_TRUE(out.has_value()) << text;
  return out.value_or("<syntax error>");
}

TEST(SpfMacro, Rfc7208Section74Examples) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
  };
  SpfMacroValues values = Rfc7208Example();
  for (const auto& [macro, want] : cases) EXPECT_EQ(Expand(macro, values), want) << macro;
}

TEST(SpfMacro, Rfc7208Section74Ipv6Example) {
  SpfMacroValues values = Rfc7208Example("2001:db8::cb01");
  EXPECT_EQ(Expand("%{ir}.%{v}._spf.%{d2}", values),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
  EXPECT_EQ(Expand("%{c}", values, SpfMacroContext::kExplanation), "2001:db8::cb01");
}

TEST(SpfMacro, EscapesAndUrlEncoding) {
  SpfMacroValues values = Rfc7208Example();
  EXPECT_EQ(Expand("a%%b%_c%-d", values), "a%b c%20d");
  values.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(Expand("%{L}", values), "~jack%26jill%3Dup-a_b3.c");
  values.helo = "%%";
  EXPECT_EQ(Expand("%{H}", values), "%25%25");
  EXPECT_EQ(Expand("%{S}", Rfc7208Example()), "strong-bad%40email.example.com");
}

TEST(SpfMacro, MultipleDelimitersAndLargeDigits) {
  SpfMacroValues values = Rfc7208Example();
  values.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(Expand("%{l2r+-}", values), "bar.foo");
  EXPECT_EQ(Expand("%{l=,/_+-.}", values), "foo.bar.zip.quux");
  EXPECT_EQ(Expand("%{d999999999999}", values), "email.example.com");
}

TEST(SpfMacro, ExplanationOnlyLetters) {
  SpfMacroValues values = Rfc7208Example();
  EXPECT_EQ(Expand("%{c} %{r} %{t}", values, SpfMacroContext::kExplanation),
            "192.0.2.3 mx.receiver.example 1767225600");
  for (const char* text : {"%{c}", "%{r}", "%{t}", "a b"}) {
    EXPECT_FALSE(IsValidSpfMacroString(text, SpfMacroContext::kDomain)) << text;
    EXPECT_TRUE(IsValidSpfMacroString(text, SpfMacroContext::kExplanation)) << text;
  }
}

TEST(SpfMacro, BadMacros) {
  for (const char* text : {"%", "a%", "%a", "%(ir)", "%{", "%{}", "%{x}", "%{a}", "%{d0}", "%{d2",
                           "%{dr2}", "%{d!}", "%{d }", "%{ d}", "\x7f", "caf\xc3\xa9", "\t"}) {
    EXPECT_FALSE(IsValidSpfMacroString(text, SpfMacroContext::kExplanation)) << text;
    EXPECT_FALSE(ExpandSpfMacros(text, Rfc7208Example(), SpfMacroContext::kDomain)) << text;
  }
}

TEST(SpfMacro, DomainSpecEnd) {
  for (const char* spec :
       {"example.com", "example.com.", ".com", "%{d}", "%{d2}.x.example", "foo:bar/baz.example.com",
        "a.xn--zckzah", "a.b-c", "a.1-2", "x.%{o}", "x%%", "x%-", "a.b2"}) {
    EXPECT_TRUE(IsValidSpfDomainSpec(spec)) << spec;
  }
  for (const char* spec : {"", "com", "com.", "abc.123", "a.-com", "a.com-", "a.c_m", "%{d}.",
                           "%{d}com", "a.com/24", "a.com:25", "%{c}.example.com"}) {
    EXPECT_FALSE(IsValidSpfDomainSpec(spec)) << spec;
  }
}

TEST(SpfMacro, PtrMacroDetection) {
  EXPECT_TRUE(UsesSpfPtrMacro("%{p}.example.com"));
  EXPECT_TRUE(UsesSpfPtrMacro("connect from %{P2r}"));
  EXPECT_FALSE(UsesSpfPtrMacro("%{d}.p.example.com"));
  EXPECT_FALSE(UsesSpfPtrMacro("%%{p}"));
}

TEST(SpfMacro, TargetNames) {
  EXPECT_EQ(SpfTargetName("example.com."), "example.com");
  EXPECT_EQ(SpfTargetName("example.com"), "example.com");
  EXPECT_FALSE(SpfTargetName(""));
  EXPECT_FALSE(SpfTargetName("."));
  EXPECT_FALSE(SpfTargetName("mail.example...com"));
  EXPECT_FALSE(SpfTargetName(".example.com"));
  EXPECT_FALSE(SpfTargetName(std::string(64, 'a') + ".example.com"));
  EXPECT_EQ(SpfTargetName(std::string(63, 'a') + ".example.com"),
            std::string(63, 'a') + ".example.com");
}

TEST(SpfMacro, LongNamesLoseLabelsOnTheLeft) {
  // §7.3: truncated to at most 253 characters by removing whole labels from the left.
  std::string label(60, 'x');
  std::string name = "drop." + label + "." + label + "." + label + "." + label + ".example";
  auto target = SpfTargetName(name);
  ASSERT_TRUE(target);
  EXPECT_LE(target->size(), 253u);
  EXPECT_EQ(*target, label + "." + label + "." + label + "." + label + ".example");
}

}  // namespace
}  // namespace kenin::policy
