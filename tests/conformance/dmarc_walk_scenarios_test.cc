// RFC 9989 DNS Tree Walk scenarios in the default mode, run on small zones with a resolver
// that records every question: the RFC's own examples (§4.10, Appendix B.4.2, B.4.3), a
// psd=y parent, records at intermediate labels, and the 8-query bound.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/zone_resolver.h"
#include "policy/dmarc.h"

namespace kenin::policy {
namespace {

using verifier::DkimResult;

// Records each question's name, then asks the zone.
class CountingResolver : public dns::Resolver {
 public:
  explicit CountingResolver(const std::string& zone_text)
      : zone_(*dns::ZoneResolver::FromText(zone_text, "walk.zone")) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    asked.push_back(dns::NormalizeName(question.name));
    return zone_.Lookup(question);
  }
  std::vector<std::string> asked;

 private:
  dns::ZoneResolver zone_;
};

DmarcInput From(const std::string& domain) {
  DmarcInput input;
  input.from_header_values = {"<author@" + domain + ">"};
  return input;
}

std::vector<std::string> Dmarc(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) out.push_back("_dmarc." + name);
  return out;
}

TEST(DmarcTreeWalk, LongAuthorDomainTakesAtMostEightQueries) {
  // §4.10: the RFC's own example. The record at the 12-label name is never asked.
  CountingResolver resolver(
      "_dmarc.b.c.d.e.f.g.h.i.j.mail.example.com. IN TXT \"v=DMARC1; p=none; psd=n\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n");
  DmarcVerdict v = EvaluateDmarc(From("a.b.c.d.e.f.g.h.i.j.mail.example.com"), resolver, {});
  EXPECT_EQ(resolver.asked,
            Dmarc({"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
                   "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
                   "mail.example.com", "example.com", "com"}));
  EXPECT_EQ(v.result, DmarcResult::kFail);
  EXPECT_EQ(v.org_domain, "example.com");
  EXPECT_EQ(v.policy_domain, "example.com");
  EXPECT_EQ(v.policy_tag, "p");
  EXPECT_EQ(v.disposition, Disposition::kReject);
}

TEST(DmarcTreeWalk, EightLabelsGoStraightToTheParent) {
  CountingResolver resolver("");
  EvaluateDmarc(From("a.b.c.d.e.f.example.com"), resolver, {});
  EXPECT_EQ(resolver.asked,
            Dmarc({"a.b.c.d.e.f.example.com", "b.c.d.e.f.example.com", "c.d.e.f.example.com",
                   "d.e.f.example.com", "e.f.example.com", "f.example.com", "example.com", "com"}));
}

TEST(DmarcTreeWalk, NineLabelsSkipTheEightLabelName) {
  CountingResolver resolver("_dmarc.b.c.d.e.f.g.example.com. IN TXT \"v=DMARC1; p=reject\"\n");
  DmarcVerdict v = EvaluateDmarc(From("a.b.c.d.e.f.g.example.com"), resolver, {});
  EXPECT_EQ(resolver.asked.size(), 8u);
  EXPECT_EQ(resolver.asked[1], "_dmarc.c.d.e.f.g.example.com");
  EXPECT_EQ(v.result, DmarcResult::kNone);  // the 8-label record lies in the gap
}

TEST(DmarcTreeWalk, DeepTreeWalkExampleOfAppendixB42) {
  CountingResolver resolver(
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n"
      "_dmarc.signing.example.com. IN TXT \"v=DMARC1; p=reject\"\n");
  DmarcInput input = From("a.b.c.d.e.f.g.h.i.j.k.example.com");
  input.spf_domain = "example.com";
  input.spf = SpfResult::kPass;
  input.dkim = {{"signing.example.com", DkimResult::kPass}};
  DmarcVerdict v = EvaluateDmarc(input, resolver, {});
  // The author's walk, then only the one new name the DKIM domain's walk needs; the SPF
  // domain's walk (example.com, com) was already asked.
  EXPECT_EQ(resolver.asked, Dmarc({"a.b.c.d.e.f.g.h.i.j.k.example.com", "g.h.i.j.k.example.com",
                                   "h.i.j.k.example.com", "i.j.k.example.com", "j.k.example.com",
                                   "k.example.com", "example.com", "com", "signing.example.com"}));
  EXPECT_EQ(v.result, DmarcResult::kPass);
  EXPECT_TRUE(v.dkim_aligned);
  EXPECT_TRUE(v.spf_aligned);
  EXPECT_EQ(v.org_domain, "example.com");
  EXPECT_EQ(v.policy_domain, "example.com");
}

constexpr char kBankZone[] =
    "_dmarc.bank.example. IN TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y\"\n"
    "_dmarc.giant.bank.example. IN TXT \"v=DMARC1; p=reject\"\n"
    "giant.bank.example. IN A 192.0.2.1\n"
    "mail.mega.bank.example. IN A 192.0.2.1\n";

TEST(DmarcTreeWalk, PsdExampleOfAppendixB43) {
  CountingResolver resolver(kBankZone);
  DmarcInput input = From("giant.bank.example");
  input.spf_domain = "mail.giant.bank.example";
  input.spf = SpfResult::kPass;
  input.dkim = {{"mail.mega.bank.example", DkimResult::kPass}};
  DmarcVerdict v = EvaluateDmarc(input, resolver, {});
  // psd=y at bank.example stops every walk: _dmarc.example is never asked. DKIM identifiers
  // are checked before the SPF one.
  EXPECT_EQ(resolver.asked, Dmarc({"giant.bank.example", "bank.example", "mail.mega.bank.example",
                                   "mega.bank.example", "mail.giant.bank.example"}));
  EXPECT_EQ(v.result, DmarcResult::kPass);
  EXPECT_TRUE(v.spf_aligned);
  EXPECT_FALSE(v.dkim_aligned);  // mega.bank.example is another Organizational Domain
  EXPECT_EQ(v.org_domain, "giant.bank.example");
  EXPECT_EQ(v.policy_domain, "giant.bank.example");
  EXPECT_EQ(v.policy_tag, "p");
}

TEST(DmarcTreeWalk, PsdParentGivesPolicyToAnOrganizationWithoutARecord) {
  CountingResolver resolver(kBankZone);
  DmarcInput input = From("mail.mega.bank.example");
  input.dkim = {{"mega.bank.example", DkimResult::kFail}};
  DmarcVerdict v = EvaluateDmarc(input, resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kFail);
  EXPECT_EQ(v.org_domain, "mega.bank.example");  // one label below the psd=y record
  EXPECT_EQ(v.policy_domain, "bank.example");
  EXPECT_EQ(v.policy_tag, "sp");  // the author domain exists
  EXPECT_EQ(v.disposition, Disposition::kQuarantine);
}

TEST(DmarcTreeWalk, PsdNpAppliesToANonExistentAuthorDomain) {
  CountingResolver resolver(kBankZone);
  DmarcVerdict v = EvaluateDmarc(From("nope.mega.bank.example"), resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kFail);
  EXPECT_EQ(v.policy_tag, "np");
  EXPECT_EQ(v.disposition, Disposition::kReject);
  EXPECT_EQ(resolver.asked.back(), "nope.mega.bank.example");  // the existence query
}

TEST(DmarcTreeWalk, PsdYOneLabelBelowAcrossTheSkippedNames) {
  // 9 labels: after the first query the walk jumps to the 7-label name, which is a PSD; the
  // Organizational Domain is the 8-label name below it, never queried, so the PSD's
  // record applies (sp).
  CountingResolver resolver(
      "_dmarc.n3.n4.n5.n6.n7.psd.example. IN TXT \"v=DMARC1; p=none; sp=reject; psd=y\"\n"
      "n1.n2.n3.n4.n5.n6.n7.psd.example. IN A 192.0.2.1\n");
  DmarcVerdict v = EvaluateDmarc(From("n1.n2.n3.n4.n5.n6.n7.psd.example"), resolver, {});
  EXPECT_EQ(resolver.asked,
            Dmarc({"n1.n2.n3.n4.n5.n6.n7.psd.example", "n3.n4.n5.n6.n7.psd.example"}));
  EXPECT_EQ(v.org_domain, "n2.n3.n4.n5.n6.n7.psd.example");
  EXPECT_EQ(v.policy_domain, "n3.n4.n5.n6.n7.psd.example");
  EXPECT_EQ(v.policy_tag, "sp");
  EXPECT_EQ(v.disposition, Disposition::kReject);
}

TEST(DmarcTreeWalk, IntermediateRecordIsNeitherPolicyNorOrganizationalDomain) {
  // §4.10.2 rule 3: the record with the fewest labels marks the Organizational Domain, and
  // §4.10.1 applies that domain's record; the record at b.c.example.com is only for mail
  // from b.c.example.com itself.
  CountingResolver resolver(
      "_dmarc.b.c.example.com. IN TXT \"v=DMARC1; p=none\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject; sp=quarantine\"\n");
  DmarcInput input = From("a.b.c.example.com");
  DmarcVerdict v = EvaluateDmarc(input, resolver, {});
  EXPECT_EQ(v.org_domain, "example.com");
  EXPECT_EQ(v.policy_domain, "example.com");
  EXPECT_EQ(v.policy_tag, "sp");
  EXPECT_EQ(v.disposition, Disposition::kQuarantine);
  input.dkim = {{"c.example.com", DkimResult::kPass}};  // same Organizational Domain
  EXPECT_EQ(EvaluateDmarc(input, resolver, {}).result, DmarcResult::kPass);
}

TEST(DmarcTreeWalk, IntermediatePsdNRecordIsTheOrganizationalDomain) {
  CountingResolver resolver(
      "_dmarc.b.c.example.com. IN TXT \"v=DMARC1; p=quarantine; sp=reject; psd=n\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=none\"\n");
  DmarcInput input = From("a.b.c.example.com");
  input.dkim = {{"example.com", DkimResult::kPass}};
  DmarcVerdict v = EvaluateDmarc(input, resolver, {});
  EXPECT_EQ(v.org_domain, "b.c.example.com");
  EXPECT_EQ(v.policy_domain, "b.c.example.com");
  EXPECT_EQ(v.policy_tag, "sp");
  EXPECT_EQ(v.result, DmarcResult::kFail);  // example.com is a different organization
  EXPECT_EQ(v.disposition, Disposition::kReject);
  // The author's walk stops at psd=n; only the DKIM domain's own walk reaches example.com.
  EXPECT_EQ(resolver.asked, Dmarc({"a.b.c.example.com", "b.c.example.com", "example.com", "com"}));
}

TEST(DmarcTreeWalk, AuthorDomainWithPsdYIsItsOwnOrganizationalDomain) {
  CountingResolver resolver("_dmarc.gov.example. IN TXT \"v=DMARC1; p=reject; psd=y\"\n");
  DmarcInput input = From("gov.example");
  input.dkim = {{"agency.gov.example", DkimResult::kPass}};
  DmarcVerdict v = EvaluateDmarc(input, resolver, {});
  EXPECT_EQ(v.org_domain, "gov.example");
  EXPECT_EQ(v.policy_tag, "p");
  EXPECT_EQ(v.result, DmarcResult::kFail);  // agency.gov.example is one label below the PSD
  EXPECT_EQ(resolver.asked, Dmarc({"gov.example", "agency.gov.example"}));
}

TEST(DmarcTreeWalk, SeveralRecordsAtOneNameAreDiscardedAndTheWalkGoesOn) {
  CountingResolver resolver(
      "_dmarc.sub.example.com. IN TXT \"v=DMARC1; p=none\"\n"
      "_dmarc.sub.example.com. IN TXT \"v=DMARC1; p=quarantine\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=none; sp=reject\"\n"
      "sub.example.com. IN A 192.0.2.1\n");
  DmarcVerdict v = EvaluateDmarc(From("sub.example.com"), resolver, {});
  EXPECT_EQ(v.policy_domain, "example.com");
  EXPECT_EQ(v.policy_tag, "sp");
  EXPECT_EQ(v.disposition, Disposition::kReject);
}

}  // namespace
}  // namespace kenin::policy
