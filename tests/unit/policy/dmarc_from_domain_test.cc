// From-field parsing for DMARC (policy/from_domain.h).
#include <gtest/gtest.h>

#include "policy/dmarc.h"
#include "policy/from_domain.h"

namespace kenin::policy {
namespace {

std::vector<std::string> Domains(std::string_view value) {
  auto domains = ParseFromDomains(value);
  EXPECT_TRUE(domains.has_value()) << value << ": " << (domains ? "" : domains.error());
  return domains.value_or(std::vector<std::string>{});
}

std::string ErrorOf(std::string_view value) {
  auto domains = ParseFromDomains(value);
  EXPECT_FALSE(domains.has_value()) << value;
  return domains ? "" : domains.error();
}

using Names = std::vector<std::string>;

TEST(FromDomain, AddrSpecLowerCasedWithoutTrailingDot) {
  EXPECT_EQ(Domains("user@Example.COM"), Names{"example.com"});
  EXPECT_EQ(Domains(" user@example.com. "), Names{"example.com"});
}

// RFC 6532 lets a From address hold UTF-8; RFC 8616 §6 looks the domain up as A-labels.
TEST(FromDomain, InternationalizedDomainsBecomeALabels) {
  EXPECT_EQ(Domains("J\xc3\xb6rg <j\xc3\xb6rg@B\xc3\x9c" "CHER.example>"), Names{"xn--bcher-kva.example"});
  EXPECT_EQ(Domains("user@xn--bcher-kva.example"), Names{"xn--bcher-kva.example"});
  EXPECT_NE(ErrorOf("user@\xff\xfe.example").find("not a valid internationalized domain name"),
            std::string::npos);
}

TEST(FromDomain, DisplayNameAndAngleAddr) {
  EXPECT_EQ(Domains("John Doe <john@example.com>"), Names{"example.com"});
  EXPECT_EQ(Domains("John Q. Public <john@example.com>"), Names{"example.com"});  // obs-phrase
  EXPECT_EQ(Domains("<john@example.com>"), Names{"example.com"});
  EXPECT_EQ(Domains("=?utf-8?q?J=C3=B6rg?= <jorg@example.com>"), Names{"example.com"});
}

TEST(FromDomain, QuotedDisplayNameMayHoldSpecialsAndAddresses) {
  EXPECT_EQ(Domains("\"Doe, John <x@evil.example>\" <john@example.com>"), Names{"example.com"});
  EXPECT_EQ(Domains("\"a \\\" quote\" <john@example.com>"), Names{"example.com"});
}

TEST(FromDomain, CommentsAreIgnoredAndMayNest) {
  EXPECT_EQ(Domains("john@example.com (John (the) Doe)"), Names{"example.com"});
  EXPECT_EQ(Domains("(x@evil.example) john@example.com"), Names{"example.com"});
  EXPECT_EQ(Domains("John <john@(comment)example.com>"), Names{"example.com"});
  EXPECT_EQ(Domains("john@example.com (a \\) escaped paren)"), Names{"example.com"});
}

TEST(FromDomain, QuotedLocalPart) {
  EXPECT_EQ(Domains("\"john@doe\"@example.com"), Names{"example.com"});
  EXPECT_EQ(Domains("<\"john doe\"@example.com>"), Names{"example.com"});
}

TEST(FromDomain, SeveralMailboxesAndEmptyElements) {
  EXPECT_EQ(Domains("a@example.com, B <b@example.net>"), (Names{"example.com", "example.net"}));
  EXPECT_EQ(Domains(", a@example.com ,, "), Names{"example.com"});
}

TEST(FromDomain, GroupSyntax) {
  EXPECT_EQ(Domains("Friends: a@example.com, B <b@example.com>;"),
            (Names{"example.com", "example.com"}));
  EXPECT_EQ(Domains("Team: a@example.com"), Names{"example.com"});  // unclosed at the end
  EXPECT_EQ(ErrorOf("Undisclosed recipients:;"), "no mailbox");
  EXPECT_EQ(ErrorOf("A: B: b@example.com;;"), "group inside a group");
  EXPECT_EQ(ErrorOf("a@example.com;"), "';' outside a group");
}

TEST(FromDomain, ObsoleteRouteAndFolding) {
  EXPECT_EQ(Domains("<@relay.example,@other.example:john@example.com>"), Names{"example.com"});
  EXPECT_EQ(Domains("John\r\n <john@example.com>"), Names{"example.com"});
  EXPECT_EQ(Domains("john@example\r\n .com"), Names{"example.com"});  // obs-domain CFWS
}

TEST(FromDomain, MalformedValuesAreErrors) {
  EXPECT_EQ(ErrorOf(""), "no mailbox");
  EXPECT_EQ(ErrorOf("   "), "no mailbox");
  EXPECT_EQ(ErrorOf("undisclosed"), "no address in mailbox");
  EXPECT_EQ(ErrorOf("john@"), "empty domain");
  EXPECT_EQ(ErrorOf("@example.com"), "empty local-part");
  EXPECT_EQ(ErrorOf("<john@example.com"), "unterminated <");
  EXPECT_EQ(ErrorOf("<>"), "empty address <>");
  EXPECT_EQ(ErrorOf("<john>"), "address without local-part@domain");
  EXPECT_EQ(ErrorOf("\"john@example.com"), "unterminated quoted string");
  EXPECT_EQ(ErrorOf("john@example.com (open"), "unterminated comment");
  EXPECT_EQ(ErrorOf("john@example.com)"), "unexpected ')'");
  EXPECT_EQ(ErrorOf("john@[192.0.2.1]"), "address literal [192.0.2.1] has no domain");
  EXPECT_EQ(ErrorOf("john@exa mple.com"), "malformed domain after '@'");
  EXPECT_EQ(ErrorOf("john@example..com"), "malformed domain after '@'");
  // A quoted-string is no domain atom (RFC 5322 §3.4.1); found by from_domain_fuzz, where
  // "...@..." in quotes came out as a domain ending in a dot.
  EXPECT_EQ(ErrorOf("john@\"example.com\""), "malformed domain after '@'");
  EXPECT_EQ(ErrorOf("L<@r,..@\"......@...\">"), "malformed domain after '@'");
  EXPECT_EQ(ErrorOf("john@.example.com"), "malformed domain after '@'");
  EXPECT_EQ(ErrorOf("a@b@c"), "text after address");
  EXPECT_EQ(ErrorOf("<a@example.com> trailing"), "text after address");
  EXPECT_EQ(ErrorOf("a@" + std::string(254, 'x')), "bad domain length");
}

TEST(AuthorDomain, ExactlyOneFieldWithOneDomain) {
  EXPECT_EQ(AuthorDomain({"a@Example.com, b@example.COM"}).value(), "example.com");
  EXPECT_EQ(AuthorDomain({}).error(), "no From field");
  EXPECT_EQ(AuthorDomain({"a@example.com", "a@example.com"}).error(), "2 From fields");
  EXPECT_EQ(AuthorDomain({"a@example.com, b@example.net"}).error(),
            "From has several domains: example.com, example.net");
  EXPECT_EQ(AuthorDomain({"nobody"}).error(), "unparseable From: no address in mailbox");
}

// Found by fuzz/from_domain_fuzz: error texts (the DMARC permerror reason) quoted the input
// whole, so a From with a 1 MB address literal or 8-bit domains made a reason as long and
// not printable. Input is quoted through verifier::Excerpt (40 characters, \xNN escapes).
TEST(AuthorDomain, ErrorsQuoteTheFieldAsAnExcerpt) {
  const std::string literal = "[" + std::string(5000, '1') + "]";
  EXPECT_EQ(ErrorOf("john@" + literal),
            "address literal [" + std::string(39, '1') + "... has no domain");
  EXPECT_EQ(ErrorOf("john " + literal), "unexpected '[" + std::string(39, '1') + "...'");
  // A From domain that is not even a valid internationalized name is no domain at all.
  EXPECT_NE(AuthorDomain({"a@b\xff.example, c@example.com"}).error().find(
                "not a valid internationalized domain name"),
            std::string::npos);
}

TEST(FromDomains, DistinctDomainsOfEveryParseableField) {
  EXPECT_EQ(FromDomains({"a@example.com", "garbage", "B <b@EXAMPLE.com>, c@example.org"}),
            (Names{"example.com", "example.org"}));
}

}  // namespace
}  // namespace kenin::policy
