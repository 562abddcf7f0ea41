#include "milter/header_plan.h"

#include <gtest/gtest.h>

#include "milter_test_support.h"

namespace kenin::milter {
namespace {

TEST(HeaderPlan, DeletionsRunFromTheLastIndexOnce) {
  HeaderPlan plan;
  PlanDeletions("Authentication-Results", {1, 4, 2, 4}, plan);
  ASSERT_EQ(plan.deletions.size(), 3u);
  EXPECT_EQ(plan.deletions[0].second, 4);
  EXPECT_EQ(plan.deletions[1].second, 2);
  EXPECT_EQ(plan.deletions[2].second, 1);
}

TEST(HeaderPlan, ApplyDeletesBeforeItInsertsAtTheTop) {
  HeaderPlan plan;
  plan.insertions = {{"X-Kenin-Score", " 0.0"}, {"Authentication-Results", " mx; none"}};
  PlanDeletions("Authentication-Results", {3, 1}, plan);
  testing::FakeMta mta;
  EXPECT_TRUE(Apply(plan, mta));
  EXPECT_EQ(mta.calls,
            (std::vector<std::string>{
                "delete Authentication-Results 3", "delete Authentication-Results 1",
                "insert 0 X-Kenin-Score: 0.0", "insert 0 Authentication-Results: mx; none"}));
}

TEST(HeaderPlan, ScoresKeepOneToTwoDecimals) {
  EXPECT_EQ(FormatScore(-3.0), "-3.0");
  EXPECT_EQ(FormatScore(0.0), "0.0");
  EXPECT_EQ(FormatScore(-0.0), "0.0");
  EXPECT_EQ(FormatScore(0.25), "0.25");
  EXPECT_EQ(FormatScore(1.5), "1.5");
  EXPECT_EQ(FormatScore(10.0), "10.0");
  EXPECT_EQ(FormatScore(1.0 / 3), "0.33");
}

}  // namespace
}  // namespace kenin::milter
