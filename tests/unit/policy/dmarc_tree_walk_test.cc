// The DNS Tree Walk (policy/dmarc_tree_walk.h) and the answer classification under it
// (policy/dmarc_lookup.h).
#include "policy/dmarc_tree_walk.h"

#include <gtest/gtest.h>

#include <set>

#include "dns/zone_resolver.h"

namespace kenin::policy {
namespace {

using Names = std::vector<std::string>;

// A zone, with SERVFAIL for the names in `failing`.
class TestResolver : public dns::Resolver {
 public:
  explicit TestResolver(const std::string& zone_text, std::set<std::string> failing = {})
      : zone_(*dns::ZoneResolver::FromText(zone_text, "test.zone")), failing_(std::move(failing)) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    if (!failing_.contains(question.name)) return zone_.Lookup(question);
    dns::Answer answer;
    answer.rcode = dns::Rcode::kServFail;
    return dns::ReadyAnswer(answer);
  }

 private:
  dns::ZoneResolver zone_;
  std::set<std::string> failing_;
};

std::optional<std::string> OrgOf(const std::string& domain, const std::string& zone,
                                 std::set<std::string> failing = {}) {
  TestResolver resolver(zone, std::move(failing));
  DmarcLookups lookups(resolver);
  return OrganizationalDomain(WalkTree(domain, lookups, 8));
}

TEST(TreeWalkTargets, ShortNamesLoseOneLabelAtATime) {
  EXPECT_EQ(TreeWalkTargets("mail.example.com", 8),
            (Names{"mail.example.com", "example.com", "com"}));
  EXPECT_EQ(TreeWalkTargets("com", 8), Names{"com"});
  EXPECT_EQ(TreeWalkTargets("", 8), Names{});
}

TEST(TreeWalkTargets, LongNamesJumpToSevenLabels) {
  // RFC 9989 §4.10's example, eight queries.
  EXPECT_EQ(TreeWalkTargets("a.b.c.d.e.f.g.h.i.j.mail.example.com", 8),
            (Names{"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
                   "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
                   "mail.example.com", "example.com", "com"}));
  EXPECT_EQ(TreeWalkTargets("1.2.3.4.5.6.7.8", 8).size(), 8u);
  EXPECT_EQ(TreeWalkTargets("1.2.3.4.5.6.7.8", 8)[1], "2.3.4.5.6.7.8");
  EXPECT_EQ(TreeWalkTargets("1.2.3.4.5.6.7", 8).size(), 7u);
  for (int labels = 1; labels < 40; ++labels) {
    std::string name = "x";
    for (int i = 1; i < labels; ++i) name += ".x";
    EXPECT_LE(TreeWalkTargets(name, 8).size(), 8u) << labels;
  }
}

TEST(TreeWalkTargets, LimitIsConfigurable) {
  EXPECT_EQ(TreeWalkTargets("a.b.c.d.e", 3), (Names{"a.b.c.d.e", "d.e", "e"}));
  EXPECT_EQ(TreeWalkTargets("a.b.c", 0), Names{});
}

TEST(TreeWalk, LastLabels) {
  EXPECT_EQ(LastLabels("a.b.example.com", 2), "example.com");
  EXPECT_EQ(LastLabels("a.b.example.com", 9), "a.b.example.com");
  EXPECT_EQ(LabelCount("a.b.example.com"), 4u);
  EXPECT_EQ(LabelCount(""), 0u);
}

TEST(OrganizationalDomain, WithoutRecordsTheStartDomain) {
  EXPECT_EQ(OrgOf("mail.example.com", ""), "mail.example.com");
}

TEST(OrganizationalDomain, FewestLabelsWithARecord) {
  // RFC 9989 Appendix B.4.1.
  const std::string zone =
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=none\"\n"
      "_dmarc.signing.example.com. IN TXT \"v=DMARC1; p=none\"\n";
  EXPECT_EQ(OrgOf("signing.example.com", zone), "example.com");
  EXPECT_EQ(OrgOf("a.b.signing.example.com", zone), "example.com");
  EXPECT_EQ(OrgOf("example.com", zone), "example.com");
}

TEST(OrganizationalDomain, PsdNMarksItAndStopsTheWalk) {
  const std::string zone =
      "_dmarc.mail.example.com. IN TXT \"v=DMARC1; p=none; psd=n\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=none\"\n";
  EXPECT_EQ(OrgOf("a.mail.example.com", zone), "mail.example.com");
}

TEST(OrganizationalDomain, PsdYMarksTheParentOfIt) {
  // §4.10.2's last example: only _dmarc.com, with psd=y.
  const std::string zone = "_dmarc.com. IN TXT \"v=DMARC1; p=none; psd=y\"\n";
  EXPECT_EQ(OrgOf("a.mail.example.com", zone), "example.com");
  EXPECT_EQ(OrgOf("com", zone), "com");  // the start's own psd=y does not count
}

TEST(OrganizationalDomain, SeveralRecordsAtANameAreSkipped) {
  const std::string zone =
      "_dmarc.mail.example.com. IN TXT \"v=DMARC1; p=none\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=none\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n";
  EXPECT_EQ(OrgOf("a.mail.example.com", zone), "mail.example.com");
}

TEST(OrganizationalDomain, UnknownAfterADnsFailure) {
  const std::string zone = "_dmarc.example.com. IN TXT \"v=DMARC1; p=none\"\n";
  EXPECT_EQ(OrgOf("mail.example.com", zone, {"_dmarc.com"}), std::nullopt);
  TestResolver resolver(zone, {"_dmarc.com"});
  DmarcLookups lookups(resolver);
  TreeWalk walk = WalkTree("mail.example.com", lookups, 8);
  EXPECT_FALSE(walk.complete);
  EXPECT_EQ(walk.error, "_dmarc.com: SERVFAIL");
  EXPECT_EQ(walk.found.size(), 1u);
}

TEST(DmarcLookups, EachNameIsAskedOnce) {
  TestResolver resolver("_dmarc.example.com. IN TXT \"v=DMARC1; p=none\"\n");
  DmarcLookups lookups(resolver);
  WalkTree("a.example.com", lookups, 8);
  WalkTree("b.example.com", lookups, 8);
  EXPECT_EQ(lookups.asked(), (Names{"_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com",
                                    "_dmarc.b.example.com"}));
}

dns::Answer TxtAnswer(std::vector<std::vector<std::string>> records) {
  dns::Answer answer;
  for (auto& strings : records) answer.records.push_back({std::move(strings), 300});
  return answer;
}

TEST(ClassifyDmarcAnswer, JoinsStringsAndDiscardsOtherRecords) {
  DmarcAtName at = ClassifyDmarcAnswer(
      TxtAnswer({{"v=DMARC1; p=", "reject"}, {"site-verification=abc"}, {"v=spf1 -all"}}));
  EXPECT_EQ(at.kind, DmarcAtName::Kind::kOne);
  ASSERT_TRUE(at.record);
  EXPECT_EQ(at.record->p, Disposition::kReject);
  EXPECT_TRUE(at.name_exists);
}

TEST(ClassifyDmarcAnswer, SeveralOrNoneOrBroken) {
  EXPECT_EQ(ClassifyDmarcAnswer(TxtAnswer({{"v=DMARC1; p=none"}, {"v=DMARC1; p=reject"}})).kind,
            DmarcAtName::Kind::kMultiple);
  EXPECT_EQ(ClassifyDmarcAnswer(TxtAnswer({{"hello"}})).kind, DmarcAtName::Kind::kNone);
  EXPECT_EQ(ClassifyDmarcAnswer(TxtAnswer({})).kind, DmarcAtName::Kind::kNone);  // NODATA
  DmarcAtName broken = ClassifyDmarcAnswer(TxtAnswer({{"v=DMARC1; p=none; p=reject"}}));
  EXPECT_EQ(broken.kind, DmarcAtName::Kind::kOne);
  EXPECT_FALSE(broken.record);
  EXPECT_EQ(broken.detail, "duplicate tag 'p'");
}

TEST(ClassifyDmarcAnswer, FailuresAndNxdomain) {
  dns::Answer nxdomain;
  nxdomain.rcode = dns::Rcode::kNxDomain;
  EXPECT_EQ(ClassifyDmarcAnswer(nxdomain).kind, DmarcAtName::Kind::kNone);
  EXPECT_FALSE(ClassifyDmarcAnswer(nxdomain).name_exists);
  dns::Answer refused;
  refused.rcode = dns::Rcode::kRefused;
  EXPECT_EQ(ClassifyDmarcAnswer(refused).detail, "REFUSED");
  DmarcAtName timeout =
      ClassifyDmarcAnswer(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "after 5s"}));
  EXPECT_EQ(timeout.kind, DmarcAtName::Kind::kDnsError);
  EXPECT_EQ(timeout.detail, "timeout: after 5s");
}

TEST(DmarcLookups, AnAnswerIsClassifiedOnceForEveryEvaluation) {
  // Copies of one answer share its memo (the zone's, as the cache's): a second evaluation
  // reads the record the first parsed instead of parsing it again.
  TestResolver resolver("_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"\n");
  DmarcLookups first(resolver);
  DmarcLookups second(resolver);
  const DmarcAtName& a = first.At("example.com");
  const DmarcAtName& b = second.At("example.com");
  EXPECT_EQ(&a, &b);
  ASSERT_TRUE(b.record);
  EXPECT_EQ(b.record->p, Disposition::kReject);
  EXPECT_EQ(second.asked(), Names{"_dmarc.example.com"});  // still asked, through the memo
}

}  // namespace
}  // namespace kenin::policy
