// The ARC field parsers (RFC 8617 §4.1, §4.2.1): instance bounds, the AAR prefix and what is
// read from its payload, the ARC-Seal's required and forbidden tags, the AMS as a DKIM
// signature without v= and AUID.
#include "arc/arc_fields.h"

#include <gtest/gtest.h>

namespace kenin::arc {
namespace {

constexpr std::string_view kB = "dGVzdHNpZ25hdHVyZQ==";  // any base64

TEST(ArcFieldKind, ByNameIgnoringCaseAndTrailingWsp) {
  EXPECT_EQ(ArcFieldKindOf("ARC-Seal"), ArcFieldKind::kSeal);
  EXPECT_EQ(ArcFieldKindOf("arc-seal "), ArcFieldKind::kSeal);
  EXPECT_EQ(ArcFieldKindOf("Arc-Message-Signature"), ArcFieldKind::kMessageSignature);
  EXPECT_EQ(ArcFieldKindOf("ARC-AUTHENTICATION-RESULTS"), ArcFieldKind::kAuthResults);
  EXPECT_EQ(ArcFieldKindOf("Authentication-Results"), std::nullopt);
  EXPECT_EQ(ArcFieldKindOf("ARC-Seals"), std::nullopt);
}

TEST(ParseInstance, OneToFiftyOnly) {
  EXPECT_EQ(ParseInstance("1"), 1);
  EXPECT_EQ(ParseInstance("50"), 50);
  EXPECT_EQ(ParseInstance("07"), 7);  // 1*2DIGIT
  for (std::string_view bad : {"0", "00", "51", "99", "100", "001", "", "a", "1a", "-1", " 1"}) {
    EXPECT_FALSE(ParseInstance(bad).has_value()) << bad;
  }
  EXPECT_NE(ParseInstance("51").error().detail.find("above the limit of 50"), std::string::npos);
  EXPECT_NE(ParseInstance("0").error().detail.find("start at 1"), std::string::npos);
}

TEST(ParseAuthResults, InstanceFirstThenSemicolon) {
  auto aar = ParseAuthResults(" i=3; mx.example.net; spf=pass smtp.mailfrom=a.example");
  ASSERT_TRUE(aar.has_value());
  EXPECT_EQ(aar->instance, 3);
  EXPECT_EQ(aar->authserv_id, "mx.example.net");
  // CFWS around the tag (RFC 8617 instance ABNF), comments included.
  aar = ParseAuthResults(" (first) i = 12 (set) ;mx.example.net; none");
  ASSERT_TRUE(aar.has_value());
  EXPECT_EQ(aar->instance, 12);
  EXPECT_EQ(aar->authserv_id, "mx.example.net");
}

TEST(ParseAuthResults, RejectsWhatTheSuiteRejects) {
  EXPECT_FALSE(ParseAuthResults(" mx.example.net; i=1; spf=pass").has_value());  // not first
  EXPECT_FALSE(ParseAuthResults(" i=1 mx.example.net; spf=pass").has_value());   // no ';'
  EXPECT_FALSE(ParseAuthResults(" I=1; mx.example.net").has_value());  // %s"i": case-sensitive
  EXPECT_FALSE(ParseAuthResults(" i=; mx.example.net").has_value());
  EXPECT_FALSE(ParseAuthResults("").has_value());
  auto bad = ParseAuthResults(" i=squanch; mx.example.net");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().detail, "i= is not a number: 'squanch'");
}

TEST(ParseAuthResults, RemoteIpOnlyWhenAValidAddress) {
  auto ip = [](std::string_view value) { return ParseAuthResults(value).value().remote_ip; };
  EXPECT_EQ(ip(" i=1; mx.example.net; iprev=pass smtp.remote-ip=192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(ip(" i=1; mx.example.net; iprev=pass SMTP.Remote-IP = 2001:db8::25;"), "2001:db8::25");
  EXPECT_EQ(ip(" i=1; mx; arc=none smtp.remote-ip=\"198.51.100.1\""), "198.51.100.1");
  EXPECT_EQ(ip(" i=1; mx.example.net; iprev=pass smtp.remote-ip=not-an-address"), "");
  // A '\\' that ends an open comment (arc_fuzz): the reader stops at the end, no exception.
  for (std::string value : {" i=1; (c \\", " i=1;( x\\", " i=1; mx (\\"}) {
    auto parsed = ParseAuthResults(value);
    ASSERT_TRUE(parsed) << value;
    EXPECT_EQ(parsed->authserv_id, value == " i=1; mx (\\" ? "mx" : "") << value;
  }
  // inet_pton stops at a NUL; the junk after it must not ride along (arc_fuzz finding).
  EXPECT_EQ(ip(std::string(" i=1; mx; iprev=pass smtp.remote-ip=2001:db8::1\0\0\0" "1.example", 59)), "");
  EXPECT_EQ(ip(" i=1; mx.example.net; spf=pass (smtp.remote-ip=192.0.2.7) smtp.mailfrom=a"), "");
  EXPECT_EQ(ip(" i=1; mx.example.net; spf=pass x-smtp.remote-ip=192.0.2.7"), "");
  EXPECT_EQ(ip(" i=1; mx.example.net; spf=pass"), "");
}

TEST(ParseAuthResults, OddAuthservIdIsNotReported) {
  EXPECT_EQ(ParseAuthResults(" i=1; \"quoted id\"; none").value().authserv_id, "");
  EXPECT_EQ(ParseAuthResults(" i=1; " + std::string(300, 'a') + "; none").value().authserv_id, "");
}

std::string Seal(std::string_view tags) {
  return " " + std::string(tags) + " b=" + std::string(kB);
}

TEST(ParseSeal, ReadsEveryTag) {
  const std::string value = Seal("i=2; cv=pass; a=rsa-sha256; d=Forwarder.Example; s=arc; t=5;");
  auto seal = ParseSeal(value, {});
  ASSERT_TRUE(seal.has_value()) << seal.error().detail;
  EXPECT_EQ(seal->instance, 2);
  EXPECT_EQ(seal->cv, ChainStatus::kPass);
  EXPECT_EQ(seal->algorithm, verifier::Algorithm::kRsaSha256);
  EXPECT_EQ(seal->domain, "forwarder.example");
  EXPECT_EQ(seal->selector, "arc");
  EXPECT_EQ(seal->timestamp, 5u);
  EXPECT_EQ(seal->signature, "testsignature");
  EXPECT_EQ(seal->value_without_b,
            " i=2; cv=pass; a=rsa-sha256; d=Forwarder.Example; s=arc; t=5; b=");
}

TEST(ParseSeal, RequiredForbiddenAndUnknownTags) {
  EXPECT_TRUE(ParseSeal(Seal("i=1; cv=none; a=ed25519-sha256; d=x.example; s=s; zz=1;"), {}));
  // chain-status values are ABNF quoted strings: any case (RFC 5234 §2.3).
  EXPECT_EQ(ParseSeal(Seal("i=1; cv=Pass; a=rsa-sha256; d=x.example; s=s;"), {})->cv,
            ChainStatus::kPass);
  for (std::string_view tags :
       {"cv=none; a=rsa-sha256; d=x.example; s=s;", "i=1; a=rsa-sha256; d=x.example; s=s;",
        "i=1; cv=none; d=x.example; s=s;", "i=1; cv=none; a=rsa-sha256; s=s;",
        "i=1; cv=none; a=rsa-sha256; d=x.example;"}) {
    auto seal = ParseSeal(Seal(tags), {});
    ASSERT_FALSE(seal.has_value()) << tags;
    EXPECT_EQ(seal.error().code, verifier::ErrorCode::kMissingTag) << tags;
  }
  // RFC 8617 §4.1.3: h= MUST make the seal fail.
  auto with_h = ParseSeal(Seal("i=1; cv=none; a=rsa-sha256; d=x.example; s=s; h=from;"), {});
  ASSERT_FALSE(with_h.has_value());
  EXPECT_EQ(with_h.error().detail, "h= is not allowed in an ARC-Seal");
}

TEST(ParseSeal, BadValues) {
  for (std::string_view tags : {"i=1; cv=; a=rsa-sha256; d=x.example; s=s;",
                                "i=1; cv=nothing; a=rsa-sha256; d=x.example; s=s;",
                                "i=1; cv=none; a=rsa-sha1; d=x.example; s=s;",  // RFC 8301
                                "i=1; cv=none; a=rsa-sha256; d=x@example; s=s;",
                                "i=1; cv=none; a=rsa-sha256; d=x.example; s=;",
                                "i=1; cv=none; a=rsa-sha256; d=x.example; s=s; t=;",
                                "i=1; cv=none; a=rsa-sha256; d=x.example; s=s; t=1 2;",
                                "i=0; cv=none; a=rsa-sha256; d=x.example; s=s;",
                                "i=1;; cv=none; a=rsa-sha256; d=x.example; s=s;"}) {
    EXPECT_FALSE(ParseSeal(Seal(tags), {}).has_value()) << tags;
  }
  EXPECT_FALSE(ParseSeal(" i=1; cv=none; a=rsa-sha256; d=x.example; s=s; b=", {}));
  EXPECT_FALSE(ParseSeal(" i=1; cv=none; a=rsa-sha256; d=x.example; s=s; b=%%%", {}));
  verifier::SignatureOptions sha1;
  sha1.allow_rsa_sha1 = true;
  EXPECT_TRUE(ParseSeal(Seal("i=1; cv=none; a=rsa-sha1; d=x.example; s=s;"), sha1));
}

std::string Ams(std::string_view tags) {
  return " " + std::string(tags) + " bh=" + std::string(kB) + "; b=" + std::string(kB);
}

TEST(ParseMessageSignature, DkimSignatureWithInstanceInsteadOfAuid) {
  auto ams = ParseMessageSignature(
      Ams("i=4; a=rsa-sha256; c=relaxed/simple; d=Lists.Example; s=arc; h=from:to;"), {});
  ASSERT_TRUE(ams.has_value()) << ams.error().detail;
  EXPECT_EQ(ams->instance, 4);
  EXPECT_EQ(ams->signature.domain, "lists.example");
  EXPECT_EQ(ams->signature.identity, "");  // RFC 8617 §4.1.2: i= is not the AUID
  EXPECT_EQ(ams->signature.header_canon, verifier::Canonicalization::kRelaxed);
  EXPECT_EQ(ams->signature.body_canon, verifier::Canonicalization::kSimple);
  // "v=" is an unknown tag in an AMS: ignored, whatever its value.
  EXPECT_TRUE(ParseMessageSignature(Ams("v=7; i=1; a=rsa-sha256; d=l.example; s=a; h=from;"), {}));
}

TEST(ParseMessageSignature, Rejections) {
  // No instance, or not a DKIM-valid instance (the AUID rules do not apply).
  auto no_i = ParseMessageSignature(Ams("a=rsa-sha256; d=l.example; s=a; h=from;"), {});
  ASSERT_FALSE(no_i.has_value());
  EXPECT_EQ(no_i.error().detail, "missing required tag i=");
  EXPECT_FALSE(
      ParseMessageSignature(Ams("i=@l.example; a=rsa-sha256; d=l.example; s=a; h=from;"), {}));
  EXPECT_FALSE(ParseMessageSignature(Ams("i=51; a=rsa-sha256; d=l.example; s=a; h=from;"), {}));
  // DKIM rules that stay: From signed (RFC 6376 §5.4), no empty names in h=.
  EXPECT_FALSE(ParseMessageSignature(Ams("i=1; a=rsa-sha256; d=l.example; s=a; h=to;"), {}));
  EXPECT_FALSE(ParseMessageSignature(Ams("i=1; a=rsa-sha256; d=l.example; s=a; h=;"), {}));
  EXPECT_FALSE(ParseMessageSignature(Ams("i=1; a=rsa-sha256; d=l.example; s=a; h=from::to;"), {}));
  // RFC 8617 §4.1.2: the AMS must not sign ARC-Seal.
  auto signs_seal =
      ParseMessageSignature(Ams("i=2; a=rsa-sha256; d=l.example; s=a; h=from:ARC-Seal;"), {});
  ASSERT_FALSE(signs_seal.has_value());
  EXPECT_EQ(signs_seal.error().detail, "h= signs ARC-Seal (RFC 8617 4.1.2)");
}

TEST(ReadInstance, EachKind) {
  EXPECT_EQ(ReadInstance(ArcFieldKind::kAuthResults, " i=2; mx"), 2);
  EXPECT_EQ(ReadInstance(ArcFieldKind::kSeal, " a=x; i=9; garbage=?"), 9);
  EXPECT_EQ(ReadInstance(ArcFieldKind::kMessageSignature, " i=50"), 50);
  EXPECT_FALSE(ReadInstance(ArcFieldKind::kSeal, " a=x; garbage").has_value());
  EXPECT_FALSE(ReadInstance(ArcFieldKind::kSeal, " a=x").has_value());
}

}  // namespace
}  // namespace kenin::arc
