#include "metrics/labels.h"

#include <gtest/gtest.h>

namespace kenin::metrics {
namespace {

TEST(LabelSet, FindsValuesIgnoringAsciiCase) {
  LabelSet set("result", {"pass", "fail"});
  EXPECT_EQ(set.Find("pass"), 0u);
  EXPECT_EQ(set.Find("FAIL"), 1u);
  EXPECT_EQ(set.Find("softfail"), std::nullopt);
  EXPECT_EQ(set.Find(""), std::nullopt);
}

TEST(LabelSet, UnknownTextTakesTheFallback) {
  LabelSet set("algorithm", {"rsa-sha256", "other"}, "other");
  EXPECT_EQ(set.Find("rsa-sha256"), 0u);
  EXPECT_EQ(set.Find("rsa-sha512"), 1u);
  EXPECT_EQ(set.Find(""), 1u);
}

TEST(Labels, DkimAlgorithmNeverCarriesMessageText) {
  const LabelSet& set = DkimAlgorithmLabel();
  EXPECT_EQ(set.value(*set.Find("RSA-SHA256")), "rsa-sha256");
  EXPECT_EQ(set.value(*set.Find("ed25519-sha256")), "ed25519-sha256");
  EXPECT_EQ(set.value(*set.Find("rsa-sha1")), "rsa-sha1");
  // a= is whatever the sender wrote: anything else is "other", so the series stay bounded.
  EXPECT_EQ(set.value(*set.Find("rsa-sha256 ")), "other");
  EXPECT_EQ(set.value(*set.Find("example.com")), "other");
  EXPECT_EQ(set.value(*set.Find("")), "other");
}

TEST(Labels, ResultSetsHaveNoFallback) {
  // Result tokens come from kenin's own enums; an unknown one is a bug to see, not to hide.
  for (const LabelSet* set : {&ActionLabel(), &DkimResultLabel(), &SpfResultLabel(),
                              &DmarcResultLabel(), &DispositionLabel()}) {
    EXPECT_EQ(set->Find("example.com"), std::nullopt) << set->name();
  }
}

TEST(Labels, NamesAreTheSpecLabels) {
  EXPECT_EQ(ActionLabel().name(), "action");
  EXPECT_EQ(DkimResultLabel().name(), "result");
  EXPECT_EQ(DkimAlgorithmLabel().name(), "algorithm");
  EXPECT_EQ(SpfResultLabel().name(), "result");
  EXPECT_EQ(DmarcResultLabel().name(), "result");
  EXPECT_EQ(DispositionLabel().name(), "disposition");
  EXPECT_EQ(ActionLabel().size(), 5u);
  EXPECT_EQ(DkimResultLabel().size(), 7u);
  EXPECT_EQ(SpfResultLabel().size(), 7u);
  EXPECT_EQ(DmarcResultLabel().size(), 5u);
  EXPECT_EQ(DispositionLabel().size(), 3u);
}

}  // namespace
}  // namespace kenin::metrics
