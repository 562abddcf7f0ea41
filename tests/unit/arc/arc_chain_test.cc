// Sorting fields into ARC Sets and the chain's form (RFC 8617 §5.2 step 3): gaps, duplicates,
// missing fields, cv= values; the reason names the lowest instance at fault.
#include "arc/arc_chain.h"

#include <gtest/gtest.h>

namespace kenin::arc {
namespace {

using K = ArcFieldKind;

std::vector<ArcFieldRef> FullSets(int n) {
  std::vector<ArcFieldRef> refs;
  size_t field = 0;
  for (int i = n; i >= 1; --i) {  // newest on top, as in a message
    refs.push_back({K::kSeal, i, field++});
    refs.push_back({K::kMessageSignature, i, field++});
    refs.push_back({K::kAuthResults, i, field++});
  }
  return refs;
}

TEST(GroupIntoSets, CompleteChainInInstanceOrder) {
  auto sets = GroupIntoSets(FullSets(3));
  ASSERT_TRUE(sets.has_value()) << sets.error();
  ASSERT_EQ(sets->size(), 3u);
  EXPECT_EQ((*sets)[0].seal, 6u);  // instance 1 is at the bottom
  EXPECT_EQ((*sets)[0].message_signature, 7u);
  EXPECT_EQ((*sets)[0].auth_results, 8u);
  EXPECT_EQ((*sets)[2].seal, 0u);
}

TEST(GroupIntoSets, GapIsInvalid) {
  std::vector<ArcFieldRef> refs = FullSets(3);
  std::erase_if(refs, [](const ArcFieldRef& r) { return r.instance == 2; });
  auto sets = GroupIntoSets(refs);
  ASSERT_FALSE(sets.has_value());
  EXPECT_EQ(sets.error(), "no ARC Set i=2 below i=3 (instances must run from 1 without gaps)");
  // A chain that starts above 1 has a gap at 1.
  refs = {{K::kSeal, 2, 0}, {K::kMessageSignature, 2, 1}, {K::kAuthResults, 2, 2}};
  EXPECT_EQ(GroupIntoSets(refs).error(),
            "no ARC Set i=1 below i=2 (instances must run from 1 without gaps)");
}

TEST(GroupIntoSets, DuplicateAndMissingFields) {
  std::vector<ArcFieldRef> refs = FullSets(2);
  refs.push_back({K::kMessageSignature, 2, 99});
  EXPECT_EQ(GroupIntoSets(refs).error(), "ARC-Message-Signature i=2 appears 2 times");
  refs = FullSets(2);
  std::erase_if(refs,
                [](const ArcFieldRef& r) { return r.instance == 1 && r.kind == K::kAuthResults; });
  EXPECT_EQ(GroupIntoSets(refs).error(), "ARC Set i=1 has no ARC-Authentication-Results");
  // Both problems: the lower instance is reported.
  refs.push_back({K::kSeal, 2, 98});
  EXPECT_EQ(GroupIntoSets(refs).error(), "ARC Set i=1 has no ARC-Authentication-Results");
}

TEST(CheckChainStatuses, NoneFirstThenPass) {
  using S = ChainStatus;
  EXPECT_EQ(CheckChainStatuses(std::vector<S>{S::kNone}), std::nullopt);
  EXPECT_EQ(CheckChainStatuses(std::vector<S>{S::kNone, S::kPass, S::kPass}), std::nullopt);
  EXPECT_EQ(CheckChainStatuses(std::vector<S>{S::kPass}), "ARC-Seal i=1 has cv=pass, must be none");
  EXPECT_EQ(CheckChainStatuses(std::vector<S>{S::kNone, S::kNone}),
            "ARC-Seal i=2 has cv=none, must be pass");
  EXPECT_EQ(CheckChainStatuses(std::vector<S>{S::kNone, S::kFail, S::kPass}),
            "ARC-Seal i=2 has cv=fail, must be pass");
}

}  // namespace
}  // namespace kenin::arc
