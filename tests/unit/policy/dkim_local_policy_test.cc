// The local policy on DKIM verdicts (l= and the AD bit, policy/dkim_local_policy.h) and how
// the result reads in the Authentication-Results header (policy/auth_results.cc comments).
#include "policy/dkim_local_policy.h"

#include <gtest/gtest.h>

#include "policy/auth_results.h"
#include "policy/auth_results_parser.h"

namespace kenin::policy {
namespace {

using verifier::DkimResult;
using verifier::DkimVerdict;

// A signature that verified with a 2048-bit RSA key and l=120.
DkimVerdict LimitedPass(bool content_after_limit) {
  DkimVerdict v;
  v.result = DkimResult::kPass;
  v.ids.domain = "example.com";
  v.ids.identity = "@example.com";
  v.ids.selector = "s1";
  v.ids.algorithm = "rsa-sha256";
  v.ids.key_bits = 2048;
  v.ids.key_type = "rsa";
  v.body_length = 120;
  v.body_truncated = content_after_limit;
  return v;
}

std::string Rendered(const DkimVerdict& verdict) {
  return DkimResinfo(std::vector<DkimVerdict>{verdict}).front();
}

TEST(DkimLocalPolicy, ContentAfterLimitIsPolicyByDefault) {
  std::vector<DkimVerdict> verdicts = {LimitedPass(true)};
  ApplyDkimLocalPolicy(verdicts, DkimLocalPolicy{});
  EXPECT_EQ(verdicts[0].result, DkimResult::kPolicy);
  EXPECT_EQ(verdicts[0].reason, "body extends past l=120");
  EXPECT_TRUE(verdicts[0].body_truncated);  // still reported (kenin verify JSON)
  EXPECT_EQ(Rendered(verdicts[0]),
            "dkim=policy reason=\"body extends past l=120\" header.d=example.com "
            "header.i=@example.com header.s=s1 header.a=rsa-sha256 (2048-bit rsa key)");
}

TEST(DkimLocalPolicy, LimitCoveringTheWholeBodyStaysPass) {
  std::vector<DkimVerdict> verdicts = {LimitedPass(false)};
  ApplyDkimLocalPolicy(verdicts, DkimLocalPolicy{});
  EXPECT_EQ(verdicts[0].result, DkimResult::kPass);
  EXPECT_EQ(verdicts[0].reason, "");
  EXPECT_EQ(Rendered(verdicts[0]),
            "dkim=pass header.d=example.com header.i=@example.com header.s=s1 "
            "header.a=rsa-sha256 (2048-bit rsa key)");
}

TEST(DkimLocalPolicy, PassChoiceKeepsPassWithAComment) {
  std::vector<DkimVerdict> verdicts = {LimitedPass(true)};
  ApplyDkimLocalPolicy(verdicts, {.unsigned_body = UnsignedBody::kPass});
  EXPECT_EQ(verdicts[0].result, DkimResult::kPass);
  EXPECT_EQ(Rendered(verdicts[0]),
            "dkim=pass header.d=example.com header.i=@example.com header.s=s1 "
            "header.a=rsa-sha256 (2048-bit rsa key, body extends past l=120)");
}

TEST(DkimLocalPolicy, OnlyAPassIsTurnedIntoPolicy) {
  DkimVerdict failed = LimitedPass(true);
  failed.result = DkimResult::kFail;
  failed.reason = "signature did not verify";
  std::vector<DkimVerdict> verdicts = {failed};
  ApplyDkimLocalPolicy(verdicts, DkimLocalPolicy{});
  EXPECT_EQ(verdicts[0].result, DkimResult::kFail);
  EXPECT_EQ(verdicts[0].reason, "signature did not verify");
}

TEST(DkimLocalPolicy, AdBitIsDroppedUnlessTrusted) {
  DkimVerdict secure = LimitedPass(false);
  secure.key_dnssec = true;
  std::vector<DkimVerdict> untrusted = {secure};
  ApplyDkimLocalPolicy(untrusted, DkimLocalPolicy{});
  EXPECT_FALSE(untrusted[0].key_dnssec.has_value());
  EXPECT_EQ(Rendered(untrusted[0]).find("dnssec"), std::string::npos) << Rendered(untrusted[0]);

  std::vector<DkimVerdict> trusted = {secure};
  ApplyDkimLocalPolicy(trusted, {.trust_ad = true});
  EXPECT_NE(Rendered(trusted[0]).find("(2048-bit rsa key, dnssec=secure)"), std::string::npos)
      << Rendered(trusted[0]);
}

TEST(DkimLocalPolicy, UnsignedKeyAnswerReadsUnsigned) {
  DkimVerdict plain = LimitedPass(false);
  plain.key_dnssec = false;
  plain.ids.key_bits = 256;
  plain.ids.key_type = "ed25519";
  std::vector<DkimVerdict> verdicts = {plain};
  ApplyDkimLocalPolicy(verdicts, {.trust_ad = true});
  EXPECT_NE(Rendered(verdicts[0]).find("(256-bit ed25519 key, dnssec=unsigned)"),
            std::string::npos)
      << Rendered(verdicts[0]);
}

// The comment sits in the CFWS after the last property (RFC 8601 §2.2): our own parser, which
// the milter uses on incoming fields, reads the resinfo as if it were not there. (Two other
// parsers do too: authres.parse_back.)
TEST(DkimLocalPolicy, CommentLeavesTheResinfoReadable) {
  DkimVerdict verdict = LimitedPass(true);
  verdict.key_dnssec = true;
  std::vector<DkimVerdict> verdicts = {verdict};
  ApplyDkimLocalPolicy(verdicts, {.unsigned_body = UnsignedBody::kPass, .trust_ad = true});
  const std::string header = RenderAuthResults("mx.test", DkimResinfo(verdicts));
  ASSERT_NE(header.find("(2048-bit rsa key, dnssec=secure, body extends past l=120)"),
            std::string::npos)
      << header;
  auto parsed = ParseAuthResults(header);
  ASSERT_TRUE(parsed.has_value()) << header;
  ASSERT_EQ(parsed->results.size(), 1u);
  EXPECT_EQ(parsed->results[0].result, "pass");
  EXPECT_EQ(parsed->results[0].properties["header.a"], "rsa-sha256");
  EXPECT_EQ(parsed->results[0].properties.size(), 4u);
}

TEST(DkimLocalPolicy, NoKeyNoComment) {
  DkimVerdict none;
  none.result = DkimResult::kPermError;
  none.reason = "no key for signature (NXDOMAIN)";
  none.ids.domain = "example.com";
  EXPECT_EQ(Rendered(none),
            "dkim=permerror reason=\"no key for signature (NXDOMAIN)\" header.d=example.com");
}

}  // namespace
}  // namespace kenin::policy
