// DMARC evaluation (policy/dmarc.h): results, alignment, policy tags, dispositions and DNS
// failures, on small zones.
#include "policy/dmarc.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "dns/zone_resolver.h"
#include "policy/public_suffix.h"

namespace kenin::policy {
namespace {

using verifier::DkimResult;

// A zone, with SERVFAIL or a timeout for chosen names; records every name asked.
class TestResolver : public dns::Resolver {
 public:
  explicit TestResolver(const std::string& zone_text)
      : zone_(*dns::ZoneResolver::FromText(zone_text, "test.zone")) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    asked.push_back(question.name);
    if (timeout.contains(question.name)) {
      return dns::ReadyAnswer(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, ""}));
    }
    if (!servfail.contains(question.name)) return zone_.Lookup(question);
    dns::Answer answer;
    answer.rcode = dns::Rcode::kServFail;
    return dns::ReadyAnswer(answer);
  }
  std::set<std::string> servfail, timeout;
  std::vector<std::string> asked;

 private:
  dns::ZoneResolver zone_;
};

DmarcInput Message(const std::string& from, std::vector<DkimResultForDmarc> dkim = {},
                   const std::string& spf_domain = "", SpfResult spf = SpfResult::kNone) {
  DmarcInput input;
  input.from_header_values = {"Author <author@" + from + ">"};
  input.dkim = std::move(dkim);
  input.spf_domain = spf_domain;
  input.spf = spf;
  return input;
}

std::unique_ptr<PublicSuffixList> TestPsl() {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("kenin_dmarc_psl_" + std::to_string(::getpid()) + ".dat");
  std::ofstream(path) << "com\nnet\nexample\n";
  auto psl = PublicSuffixList::Load(path.string());
  std::filesystem::remove(path);
  return psl;
}

DmarcOptions Rfc7489(const PublicSuffixList* psl, std::function<int()> roll = {}) {
  DmarcOptions options;
  options.mode = DmarcMode::kRfc7489;
  options.public_suffixes = psl;
  options.percent_roll = std::move(roll);
  return options;
}

// --- Identifier alignment -------------------------------------------------------------

constexpr char kAlignmentZone[] =
    "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.strict.example. IN TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n";

struct AlignmentRow {
  std::string author;
  std::string identifier;
  bool aligned;
};

const AlignmentRow kAlignmentTable[] = {
    {"example.com", "example.com", true},              // identical
    {"example.com", "mail.example.com", true},         // relaxed: child of the author
    {"mail.example.com", "example.com", true},         // relaxed: parent of the author
    {"news.example.com", "bounce.example.com", true},  // relaxed: siblings
    {"example.com", "EXAMPLE.COM.", true},             // case and trailing dot ignored
    {"example.com", "example.net", false},             // another organization
    {"example.com", "notexample.com", false},          // not a label boundary
    {"example.com", "com", false},                     // the parent zone is not the org
    {"strict.example", "strict.example", true},        // strict: identical
    {"strict.example", "STRICT.Example", true},        // strict ignores case
    {"strict.example", "mail.strict.example", false},  // strict: a child is not enough
    {"sub.strict.example", "strict.example", false},   // strict: nor a parent
};

void ExpectAlignmentTable(const DmarcOptions& options) {
  TestResolver resolver(kAlignmentZone);
  for (const AlignmentRow& row : kAlignmentTable) {
    DmarcVerdict by_dkim = EvaluateDmarc(Message(row.author, {{row.identifier, DkimResult::kPass}}),
                                         resolver, options);
    EXPECT_EQ(by_dkim.dkim_aligned, row.aligned) << row.author << " / d=" << row.identifier;
    EXPECT_EQ(by_dkim.result, row.aligned ? DmarcResult::kPass : DmarcResult::kFail) << row.author;
    DmarcVerdict by_spf =
        EvaluateDmarc(Message(row.author, {}, row.identifier, SpfResult::kPass), resolver, options);
    EXPECT_EQ(by_spf.spf_aligned, row.aligned) << row.author << " / spf " << row.identifier;
    EXPECT_EQ(by_spf.result, row.aligned ? DmarcResult::kPass : DmarcResult::kFail) << row.author;
  }
}

TEST(DmarcAlignment, TableInRfc9989Mode) { ExpectAlignmentTable(DmarcOptions{}); }

TEST(DmarcAlignment, TableInRfc7489Mode) {
  auto psl = TestPsl();
  ASSERT_NE(psl, nullptr);
  ExpectAlignmentTable(Rfc7489(psl.get()));
}

TEST(DmarcAlignment, OnlyPassResultsAreAuthenticatedIdentifiers) {
  TestResolver resolver(kAlignmentZone);
  for (DkimResult dkim : {DkimResult::kFail, DkimResult::kNeutral, DkimResult::kPolicy,
                          DkimResult::kNone, DkimResult::kPermError}) {
    DmarcVerdict v = EvaluateDmarc(Message("example.com", {{"example.com", dkim}}), resolver, {});
    EXPECT_EQ(v.result, DmarcResult::kFail) << verifier::ToToken(dkim);
    EXPECT_EQ(v.reason, "no DKIM or SPF pass");
  }
  for (SpfResult spf : {SpfResult::kFail, SpfResult::kSoftFail, SpfResult::kNeutral,
                        SpfResult::kNone, SpfResult::kPermError}) {
    DmarcVerdict v = EvaluateDmarc(Message("example.com", {}, "example.com", spf), resolver, {});
    EXPECT_EQ(v.result, DmarcResult::kFail) << ToToken(spf);
  }
}

// RFC 9989 §5.3.6 in spirit: a DNS failure that leaves the outcome open gives temperror, and
// a DKIM key or SPF record that could not be fetched leaves open whether an aligned
// identifier would have passed. A fail would reject under p=reject on a resolver hiccup.
TEST(DmarcAlignment, AnAlignedTemperrorLeavesTheResultOpen) {
  TestResolver resolver(kAlignmentZone);
  DmarcVerdict dkim = EvaluateDmarc(
      Message("example.com", {{"mail.example.com", DkimResult::kTempError}}), resolver, {});
  EXPECT_EQ(dkim.result, DmarcResult::kTempError);
  EXPECT_EQ(dkim.reason, "no aligned pass, and temperror from DKIM d=mail.example.com");
  EXPECT_EQ(dkim.disposition, Disposition::kNone);  // nothing to enforce
  DmarcVerdict spf = EvaluateDmarc(Message("example.com", {{"example.com", DkimResult::kFail}},
                                           "example.com", SpfResult::kTempError),
                                   resolver, {});
  EXPECT_EQ(spf.result, DmarcResult::kTempError);
  EXPECT_EQ(spf.reason, "no aligned pass, and temperror from SPF example.com");
  // An unaligned identifier's temperror changes nothing: it could not have made DMARC pass.
  DmarcVerdict unaligned = EvaluateDmarc(
      Message("example.com", {{"other.net", DkimResult::kTempError}}, "other.net",
              SpfResult::kTempError),
      resolver, {});
  EXPECT_EQ(unaligned.result, DmarcResult::kFail);
  // Nor does it matter when something else aligned and passed.
  DmarcVerdict passed = EvaluateDmarc(
      Message("example.com", {{"example.com", DkimResult::kTempError},
                              {"example.com", DkimResult::kPass}}),
      resolver, {});
  EXPECT_EQ(passed.result, DmarcResult::kPass);
}

TEST(DmarcAlignment, AnyAlignedSignatureIsEnough) {
  TestResolver resolver(kAlignmentZone);
  DmarcVerdict v = EvaluateDmarc(Message("example.com", {{"other.net", DkimResult::kPass},
                                                         {"example.com", DkimResult::kFail},
                                                         {"mail.example.com", DkimResult::kPass}}),
                                 resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kPass);
  EXPECT_TRUE(v.dkim_aligned);
  EXPECT_FALSE(v.spf_aligned);
  EXPECT_EQ(v.disposition, Disposition::kNone);
  EXPECT_EQ(v.policy, Disposition::kReject);  // reported even on pass
}

// The reason names the author domain. Regression: Apply() read it through a reference into
// the verdict it moves into Conclude() in the same call, so clang (which evaluates that
// argument first) wrote "aligned with " and nothing after it.
TEST(DmarcAlignment, FailReasonNamesTheAuthorDomain) {
  TestResolver resolver(kAlignmentZone);
  DmarcVerdict v =
      EvaluateDmarc(Message("example.com", {{"other.net", DkimResult::kPass}}), resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kFail);
  EXPECT_EQ(v.reason, "no DKIM or SPF pass aligned with example.com");
}

// --- Results without a policy ---------------------------------------------------------

TEST(DmarcResult, NoRecordIsNone) {
  TestResolver resolver("");
  DmarcVerdict v = EvaluateDmarc(Message("example.org"), resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kNone);
  EXPECT_EQ(v.reason, "no DMARC record");
  EXPECT_EQ(v.from_domain, "example.org");
  EXPECT_EQ(v.org_domain, "example.org");
  EXPECT_EQ(v.policy_domain, "");
  EXPECT_FALSE(v.policy);
}

TEST(DmarcResult, FromProblemsArePermerror) {
  TestResolver resolver(kAlignmentZone);
  auto evaluate = [&](std::vector<std::string> from) {
    DmarcInput input;
    input.from_header_values = std::move(from);
    return EvaluateDmarc(input, resolver, {});
  };
  DmarcVerdict none = evaluate({});
  EXPECT_EQ(none.result, DmarcResult::kPermError);
  EXPECT_EQ(none.reason, "no From field");
  EXPECT_EQ(evaluate({"a@example.com", "b@example.com"}).reason, "2 From fields");
  EXPECT_EQ(evaluate({"a@example.com, b@example.net"}).result, DmarcResult::kPermError);
  EXPECT_EQ(evaluate({"undisclosed"}).result, DmarcResult::kPermError);
  EXPECT_EQ(evaluate({"a@[192.0.2.1]"}).result, DmarcResult::kPermError);
  EXPECT_TRUE(resolver.asked.empty());  // no DNS for a message DMARC cannot evaluate
  EXPECT_EQ(evaluate({"a@example.com, B <b@EXAMPLE.com>"}).result, DmarcResult::kFail);
}

// --- Policy records that cannot be applied as written -----------------------------------

DmarcVerdict EvaluateRecord(const std::string& record, const DmarcOptions& options = {},
                            const std::string& from = "example.com") {
  TestResolver resolver("_dmarc.example.com. IN TXT \"" + record +
                        "\"\nsub.example.com. IN A 192.0.2.1\n");
  return EvaluateDmarc(Message(from), resolver, options);
}

TEST(DmarcPolicyRecord, InvalidPolicyWithRuaActsAsPNone) {
  DmarcVerdict v = EvaluateRecord("v=DMARC1; p=bogus; sp=reject; rua=mailto:d@example.com", {},
                                  "sub.example.com");
  EXPECT_EQ(v.result, DmarcResult::kFail);
  EXPECT_EQ(v.policy_tag, "p");  // "as if p=none": sp is dropped too
  EXPECT_EQ(v.policy, Disposition::kNone);
  EXPECT_EQ(v.disposition, Disposition::kNone);
}

TEST(DmarcPolicyRecord, InvalidPolicyWithoutRuaIsNotApplied) {
  for (const char* record : {"v=DMARC1; p=bogus", "v=DMARC1; p=reject; sp=bogus",
                             "v=DMARC1; p=reject; np=bogus", "v=DMARC1; p=bogus; rua=bogus"}) {
    DmarcVerdict v = EvaluateRecord(record);
    EXPECT_EQ(v.result, DmarcResult::kNone) << record;
    EXPECT_EQ(v.policy_domain, "example.com") << record;
    EXPECT_FALSE(v.policy) << record;
    EXPECT_NE(v.reason.find("not applied"), std::string::npos) << v.reason;
  }
}

TEST(DmarcPolicyRecord, AbsentPolicyIsPNoneInRfc9989Only) {
  DmarcVerdict v = EvaluateRecord("v=DMARC1; adkim=s");
  EXPECT_EQ(v.result, DmarcResult::kFail);  // RFC 9989 §4.7 p
  EXPECT_EQ(v.policy, Disposition::kNone);
  auto psl = TestPsl();
  DmarcVerdict legacy = EvaluateRecord("v=DMARC1; adkim=s", Rfc7489(psl.get()));
  EXPECT_EQ(legacy.result, DmarcResult::kNone);  // RFC 7489 §6.6.3 step 6: needs a rua
  EXPECT_EQ(legacy.reason, "DMARC record at _dmarc.example.com not applied: no p and no valid rua");
  EXPECT_EQ(EvaluateRecord("v=DMARC1; rua=mailto:d@example.com", Rfc7489(psl.get())).policy,
            Disposition::kNone);
}

TEST(DmarcPolicyRecord, NpIsNotARfc7489Tag) {
  auto psl = TestPsl();
  DmarcVerdict v = EvaluateRecord("v=DMARC1; p=reject; np=bogus", Rfc7489(psl.get()));
  EXPECT_EQ(v.result, DmarcResult::kFail);
  EXPECT_EQ(v.disposition, Disposition::kReject);
}

TEST(DmarcPolicyRecord, DuplicateTagRecordIsNotApplied) {
  DmarcVerdict v = EvaluateRecord("v=DMARC1; p=none; p=reject");
  EXPECT_EQ(v.result, DmarcResult::kNone);
  EXPECT_EQ(v.policy_domain, "example.com");
  EXPECT_EQ(v.reason, "DMARC record at _dmarc.example.com is invalid: duplicate tag 'p'");
}

TEST(DmarcPolicyRecord, Rfc7489ModeNeedsAPublicSuffixList) {
  DmarcVerdict v = EvaluateRecord("v=DMARC1; p=reject", Rfc7489(nullptr));
  EXPECT_EQ(v.result, DmarcResult::kTempError);
}

// --- Dispositions: t=y and pct ----------------------------------------------------------

TEST(DmarcDisposition, TestingIsOneLevelLessStrict) {
  DmarcVerdict reject = EvaluateRecord("v=DMARC1; p=reject; t=y");
  EXPECT_EQ(reject.result, DmarcResult::kFail);
  EXPECT_EQ(reject.policy, Disposition::kReject);
  EXPECT_EQ(reject.disposition, Disposition::kQuarantine);
  EXPECT_EQ(EvaluateRecord("v=DMARC1; p=quarantine; t=y").disposition, Disposition::kNone);
  EXPECT_EQ(EvaluateRecord("v=DMARC1; p=none; t=y").disposition, Disposition::kNone);
  EXPECT_EQ(EvaluateRecord("v=DMARC1; p=reject; t=n").disposition, Disposition::kReject);
  auto psl = TestPsl();  // t is not a RFC 7489 tag
  EXPECT_EQ(EvaluateRecord("v=DMARC1; p=reject; t=y", Rfc7489(psl.get())).disposition,
            Disposition::kReject);
}

TEST(DmarcDisposition, PctSamplesOnlyInRfc7489Mode) {
  EXPECT_EQ(EvaluateRecord("v=DMARC1; p=reject; pct=0").disposition, Disposition::kReject);
  auto psl = TestPsl();
  auto roll = [](int value) { return Rfc7489(nullptr, [value] { return value; }); };
  auto with = [&](const std::string& record, int value) {
    DmarcOptions options = roll(value);
    options.public_suffixes = psl.get();
    return EvaluateRecord(record, options).disposition;
  };
  EXPECT_EQ(with("v=DMARC1; p=reject; pct=0", 0), Disposition::kQuarantine);
  EXPECT_EQ(with("v=DMARC1; p=quarantine; pct=0", 0), Disposition::kNone);
  EXPECT_EQ(with("v=DMARC1; p=reject; pct=30", 29), Disposition::kReject);
  EXPECT_EQ(with("v=DMARC1; p=reject; pct=30", 30), Disposition::kQuarantine);
  EXPECT_EQ(with("v=DMARC1; p=reject; pct=100", 99), Disposition::kReject);
}

// --- sp and np ------------------------------------------------------------------------

constexpr char kSubdomainZone[] =
    "_dmarc.example.com. IN TXT \"v=DMARC1; p=none; sp=quarantine; np=reject\"\n"
    "_dmarc.own.example.com. IN TXT \"v=DMARC1; p=quarantine; np=reject\"\n"
    "_dmarc.ent.example.com. IN TXT \"not a dmarc record\"\n"
    "exists.example.com. IN A 192.0.2.1\n"
    "_dmarc.nonp.example. IN TXT \"v=DMARC1; p=none; sp=quarantine\"\n";

TEST(DmarcSubdomains, SpForExistingNpForNonExistentPForTheDomainItself) {
  TestResolver resolver(kSubdomainZone);
  auto tag = [&](const std::string& from, const DmarcOptions& options = {}) {
    DmarcVerdict v = EvaluateDmarc(Message(from), resolver, options);
    return v.policy_tag + "=" + std::string(ToToken(v.disposition));
  };
  EXPECT_EQ(tag("example.com"), "p=none");
  EXPECT_EQ(tag("exists.example.com"), "sp=quarantine");
  EXPECT_EQ(tag("ghost.example.com"), "np=reject");  // NXDOMAIN (RFC 9989 §3.2.13)
  EXPECT_EQ(tag("deep.ghost.example.com"), "np=reject");
  EXPECT_EQ(tag("own.example.com"), "p=quarantine");  // np never applies to a domain's own record
  EXPECT_EQ(tag("ghost.nonp.example"), "sp=quarantine");  // no np: sp
  auto psl = TestPsl();
  EXPECT_EQ(tag("ghost.example.com", Rfc7489(psl.get())), "sp=quarantine");
}

TEST(DmarcSubdomains, ExistenceFromTheDmarcAnswerSavesAQuery) {
  TestResolver resolver(kSubdomainZone);
  DmarcVerdict v = EvaluateDmarc(Message("ent.example.com"), resolver, {});
  EXPECT_EQ(v.policy_tag, "sp");  // _dmarc.ent.example.com exists, so ent.example.com does
  EXPECT_EQ(std::count(resolver.asked.begin(), resolver.asked.end(), "ent.example.com"), 0);
}

// --- DNS failures ---------------------------------------------------------------------

TEST(DmarcTempError, FailureAtTheAuthorDomain) {
  TestResolver resolver(kAlignmentZone);
  resolver.servfail = {"_dmarc.example.com"};
  DmarcVerdict v = EvaluateDmarc(Message("example.com"), resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kTempError);
  EXPECT_EQ(v.reason, "DNS failure at _dmarc.example.com: SERVFAIL");
  EXPECT_EQ(v.disposition, Disposition::kNone);
  resolver.servfail.clear();
  resolver.timeout = {"_dmarc.example.com"};
  EXPECT_EQ(EvaluateDmarc(Message("example.com"), resolver, {}).reason,
            "DNS failure at _dmarc.example.com: timeout");
}

TEST(DmarcTempError, FailureInTheWalkAboveAnAuthorWithoutRecord) {
  TestResolver resolver(kAlignmentZone);
  resolver.servfail = {"_dmarc.com"};
  DmarcVerdict v = EvaluateDmarc(Message("mail.example.com"), resolver, {});
  EXPECT_EQ(v.result, DmarcResult::kTempError);
  EXPECT_EQ(v.reason, "DNS failure at _dmarc.com: SERVFAIL");
}

TEST(DmarcTempError, FailureAboveAnAuthorWithRecordMattersOnlyForRelaxedAlignment) {
  TestResolver resolver(kAlignmentZone);
  resolver.servfail = {"_dmarc.com"};
  // The author's own record applies; identical identifiers need no Organizational Domain.
  DmarcVerdict same =
      EvaluateDmarc(Message("example.com", {{"example.com", DkimResult::kPass}}), resolver, {});
  EXPECT_EQ(same.result, DmarcResult::kPass);
  EXPECT_EQ(same.org_domain, "");  // undetermined
  DmarcVerdict none_passing = EvaluateDmarc(Message("example.com"), resolver, {});
  EXPECT_EQ(none_passing.result, DmarcResult::kFail);
  DmarcVerdict relaxed = EvaluateDmarc(
      Message("example.com", {{"mail.example.com", DkimResult::kPass}}), resolver, {});
  EXPECT_EQ(relaxed.result, DmarcResult::kTempError);
  EXPECT_EQ(relaxed.reason,
            "alignment undecided by DNS failure: mail.example.com (_dmarc.com: SERVFAIL)");
  DmarcVerdict rescued =
      EvaluateDmarc(Message("example.com", {{"mail.example.com", DkimResult::kPass}}, "example.com",
                            SpfResult::kPass),
                    resolver, {});
  EXPECT_EQ(rescued.result, DmarcResult::kPass);  // SPF aligns without the walk
}

TEST(DmarcTempError, UnknownExistenceMattersOnlyForAFailure) {
  TestResolver resolver(kSubdomainZone);
  resolver.servfail = {"ghost.example.com"};
  DmarcVerdict fail = EvaluateDmarc(Message("ghost.example.com"), resolver, {});
  EXPECT_EQ(fail.result, DmarcResult::kTempError);
  EXPECT_EQ(fail.reason, "DNS failure checking whether ghost.example.com exists (np)");
  DmarcVerdict pass = EvaluateDmarc(
      Message("ghost.example.com", {{"example.com", DkimResult::kPass}}), resolver, {});
  EXPECT_EQ(pass.result, DmarcResult::kPass);
  EXPECT_EQ(pass.policy_tag, "sp");
}

TEST(DmarcTempError, Rfc7489ModeFailureAtTheOrganizationalDomain) {
  auto psl = TestPsl();
  TestResolver resolver(kAlignmentZone);
  resolver.servfail = {"_dmarc.example.com"};
  DmarcVerdict v = EvaluateDmarc(Message("mail.example.com"), resolver, Rfc7489(psl.get()));
  EXPECT_EQ(v.result, DmarcResult::kTempError);
  EXPECT_EQ(resolver.asked,
            (std::vector<std::string>{"_dmarc.mail.example.com", "_dmarc.example.com"}));
}

}  // namespace
}  // namespace kenin::policy
