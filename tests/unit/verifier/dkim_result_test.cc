// Verdict tokens are written into Authentication-Results verbatim, so they must be exactly
// RFC 8601 §2.7.1's; every parser Error becomes a permerror carrying its detail.
#include "verifier/dkim_result.h"

#include <gtest/gtest.h>

namespace kenin::verifier {
namespace {

TEST(DkimResult, TokensAreThoseOfRfc8601) {
  EXPECT_EQ(ToToken(DkimResult::kNone), "none");
  EXPECT_EQ(ToToken(DkimResult::kPass), "pass");
  EXPECT_EQ(ToToken(DkimResult::kFail), "fail");
  EXPECT_EQ(ToToken(DkimResult::kPolicy), "policy");
  EXPECT_EQ(ToToken(DkimResult::kNeutral), "neutral");
  EXPECT_EQ(ToToken(DkimResult::kTempError), "temperror");
  EXPECT_EQ(ToToken(DkimResult::kPermError), "permerror");
}

TEST(DkimResult, ErrorBecomesPermerrorWithItsDetailAndIds) {
  SignatureIds ids;
  ids.domain = "example.com";
  ids.selector = "s1";
  DkimVerdict verdict = ToVerdict(Error{ErrorCode::kDuplicateTag, "duplicate tag 'bh'"}, ids);
  EXPECT_EQ(verdict.result, DkimResult::kPermError);
  EXPECT_EQ(verdict.reason, "duplicate tag 'bh'");
  EXPECT_EQ(verdict.ids.domain, "example.com");
  EXPECT_EQ(verdict.ids.selector, "s1");
  EXPECT_FALSE(verdict.key_testing);
  EXPECT_FALSE(verdict.body_truncated);
}

TEST(DkimResult, DefaultVerdictIsNone) { EXPECT_EQ(DkimVerdict{}.result, DkimResult::kNone); }

}  // namespace
}  // namespace kenin::verifier
