#include "policy/auth_results.h"

#include <gtest/gtest.h>

namespace kenin::policy {
namespace {

using verifier::DkimResult;
using verifier::DkimVerdict;

DkimVerdict Verdict(DkimResult result, std::string reason) {
  DkimVerdict v;
  v.result = result;
  v.reason = std::move(reason);
  v.ids.domain = "example.com";
  v.ids.identity = "@example.com";
  v.ids.selector = "s1";
  v.ids.algorithm = "rsa-sha256";
  v.ids.b_prefix = "ab/+CD=e";
  return v;
}

TEST(AuthResults, NoSignatureIsDkimNone) {
  EXPECT_EQ(RenderAuthResults("mx.test", DkimResinfo({})), "mx.test; dkim=none");
}

TEST(AuthResults, PassCarriesPropertiesAndQuotesHeaderB) {
  std::vector<DkimVerdict> verdicts = {Verdict(DkimResult::kPass, "")};
  EXPECT_EQ(RenderAuthResults("mx.test", DkimResinfo(verdicts)),
            "mx.test; dkim=pass header.d=example.com header.i=@example.com header.s=s1 "
            "header.a=rsa-sha256 header.b=\"ab/+CD=e\"");
}

TEST(AuthResults, ReasonIsAQuotedString) {
  std::vector<DkimVerdict> verdicts = {Verdict(DkimResult::kFail, "body hash did not verify")};
  std::string out = RenderAuthResults("mx.test", DkimResinfo(verdicts));
  EXPECT_NE(out.find("dkim=fail reason=\"body hash did not verify\""), std::string::npos) << out;
}

TEST(AuthResults, OneResinfoPerSignatureInOrderFolded) {
  std::vector<DkimVerdict> verdicts = {Verdict(DkimResult::kPass, ""),
                                       Verdict(DkimResult::kPermError, "key revoked")};
  std::string out = FoldAuthResults("mx.test", DkimResinfo(verdicts), "\r\n\t");
  EXPECT_EQ(out.find("mx.test;\r\n\tdkim=pass"), 0u) << out;
  EXPECT_NE(out.find(";\r\n\tdkim=permerror reason=\"key revoked\""), std::string::npos) << out;
}

TEST(AuthResults, EmptyPropertiesAreOmitted) {
  DkimVerdict v;
  v.result = DkimResult::kPermError;
  v.reason = "missing required tag d=";
  EXPECT_EQ(RenderAuthResults("mx", DkimResinfo(std::vector<DkimVerdict>{v})),
            "mx; dkim=permerror reason=\"missing required tag d=\"");
}

// Found by fuzz/auth_results_fuzz and fuzz/dkim_message_fuzz: d=, s=, i=, a= of a signature
// that did not parse are taken as written, so a TAB, a NUL or 8-bit octets went into our
// header raw (a NUL truncates it in libmilter, dropping the spf= and dmarc= results after
// it). Property values are made plain like reasons.
TEST(AuthResults, PropertiesFromTheMessageArePrintableAscii) {
  DkimVerdict v = Verdict(DkimResult::kPermError, "missing required tag b=");
  v.ids.domain = std::string("exa\0mple.com", 12);
  v.ids.selector = "se\tl\xff";
  v.ids.algorithm = "rsa\"sha\\256";
  v.ids.identity = "";
  v.ids.b_prefix = "";
  EXPECT_EQ(RenderAuthResults("mx", DkimResinfo(std::vector<DkimVerdict>{v})),
            "mx; dkim=permerror reason=\"missing required tag b=\" header.d=\"exa?mple.com\" "
            "header.s=\"se?l?\" header.a=\"rsa'sha/256\"");
}

TEST(AuthResults, QuoteIfNeededEscapesQuotesAndBackslashes) {
  EXPECT_EQ(QuoteIfNeeded("token"), "token");
  EXPECT_EQ(QuoteIfNeeded("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(QuoteIfNeeded(""), "\"\"");
}

}  // namespace
}  // namespace kenin::policy
