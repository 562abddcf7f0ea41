// Runs kenin's DMARC over ../shared/conformance/dmarc (self-written RFC 7489 cases; see its
// README.md) in RFC 7489 mode: the zone answers DNS, dns-failures.tsv turns names into
// SERVFAIL, psl.dat is the Public Suffix List, and each row gives the DKIM and SPF results.
// Differences we answer on purpose would be listed in kKnownDifferences and, with the RFC
// reasoning, in docs/conformance.md; any other difference fails the test.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dns/zone_resolver.h"
#include "policy/dmarc.h"
#include "policy/public_suffix.h"
#include "tests/conformance/conformance_data.h"

namespace kenin::policy {
namespace {

using kenin::testing::ReadTsv;
using kenin::testing::Row;
using kenin::testing::Split;

const std::string kDir = std::string(KENIN_CONFORMANCE_DIR) + "/dmarc/";

// Case ids where kenin's answer differs from the manifest (docs/conformance.md, "DMARC").
const std::set<std::string> kKnownDifferences = {};

// Answers SERVFAIL for the names in dns-failures.tsv, and passes the rest to the zone.
class FailingResolver : public dns::Resolver {
 public:
  FailingResolver(dns::Resolver& inner, std::set<std::string> failing)
      : inner_(inner), failing_(std::move(failing)) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    if (!failing_.contains(dns::NormalizeName(question.name))) return inner_.Lookup(question);
    dns::Answer answer;
    answer.rcode = dns::Rcode::kServFail;
    return dns::ReadyAnswer(answer);
  }

 private:
  dns::Resolver& inner_;
  std::set<std::string> failing_;
};

verifier::DkimResult DkimFromToken(const std::string& token) {
  using verifier::DkimResult;
  for (DkimResult r : {DkimResult::kNone, DkimResult::kPass, DkimResult::kFail, DkimResult::kPolicy,
                       DkimResult::kNeutral, DkimResult::kTempError, DkimResult::kPermError}) {
    if (verifier::ToToken(r) == token) return r;
  }
  ADD_FAILURE() << "unknown DKIM result " << token;
  return DkimResult::kNone;
}

SpfResult SpfFromToken(const std::string& token) {
  for (SpfResult r : {SpfResult::kNone, SpfResult::kNeutral, SpfResult::kPass, SpfResult::kFail,
                      SpfResult::kSoftFail, SpfResult::kTempError, SpfResult::kPermError}) {
    if (ToToken(r) == token) return r;
  }
  ADD_FAILURE() << "unknown SPF result " << token;
  return SpfResult::kNone;
}

// "domain:result", with an optional "d=" in front.
std::pair<std::string, std::string> DomainAndResult(std::string item) {
  if (item.rfind("d=", 0) == 0) item.erase(0, 2);
  size_t colon = item.rfind(':');
  return {item.substr(0, colon), item.substr(colon + 1)};
}

DmarcInput InputOf(const Row& row) {
  DmarcInput input;
  input.from_header_values = {"Someone <someone@" + row.at("from_domain") + ">"};
  if (row.at("dkim") != "-") {
    for (const std::string& item : Split(row.at("dkim"), ';')) {
      auto [domain, result] = DomainAndResult(item);
      input.dkim.push_back({domain, DkimFromToken(result)});
    }
  }
  if (row.at("spf") != "-") {
    auto [domain, result] = DomainAndResult(row.at("spf"));
    input.spf_domain = domain;
    input.spf = SpfFromToken(result);
  }
  return input;
}

// Every way the verdict can disagree with the row, as text ("" when it agrees).
std::string Compare(const Row& row, const DmarcVerdict& v) {
  std::ostringstream out;
  auto expect = [&](const std::string& column, const std::string& actual) {
    if (row.at(column) != actual) {
      out << column << "=" << actual << " (want " << row.at(column) << ") ";
    }
  };
  expect("org_domain", v.org_domain);
  expect("policy_record", v.policy_domain.empty() ? "-" : "_dmarc." + v.policy_domain);
  expect("policy_tag", v.policy_tag.empty() ? "-" : v.policy_tag);
  expect("policy_value", v.policy ? std::string(ToToken(*v.policy)) : "-");
  std::string result(ToToken(v.result));
  if (result != row.at("expected_dmarc") && result != row.at("also_acceptable")) {
    out << "dmarc=" << result << " (want " << row.at("expected_dmarc") << ") ";
  }
  std::set<std::string> dispositions;
  for (const std::string& d : Split(row.at("expected_disposition"), '|')) dispositions.insert(d);
  if (!dispositions.contains(std::string(ToToken(v.disposition)))) {
    out << "disposition=" << ToToken(v.disposition) << " (want " << row.at("expected_disposition")
        << ") ";
  }
  return out.str();
}

TEST(DmarcConformance, EveryCaseMatchesInRfc7489Mode) {
  auto zone = dns::ZoneResolver::FromFiles({kDir + "dmarc.zone"});
  ASSERT_TRUE(zone.has_value()) << zone.error().detail;
  std::set<std::string> failing;
  for (const Row& row : ReadTsv(kDir + "dns-failures.tsv")) {
    failing.insert(dns::NormalizeName(row.at("name")));
  }
  ASSERT_EQ(failing, std::set<std::string>{"_dmarc.c42.example"});
  FailingResolver resolver(*zone, failing);
  std::unique_ptr<PublicSuffixList> psl = PublicSuffixList::Load(kDir + "psl.dat");
  ASSERT_NE(psl, nullptr);

  std::vector<Row> rows = ReadTsv(kDir + "cases.tsv");
  ASSERT_EQ(rows.size(), 55u);
  std::set<std::string> differences;
  int rolls = 0;
  for (const Row& row : rows) {
    DmarcOptions options;
    options.mode = DmarcMode::kRfc7489;
    options.public_suffixes = psl.get();
    options.percent_roll = [&rolls] { return (rolls++ * 37) % 100; };
    DmarcVerdict verdict = EvaluateDmarc(InputOf(row), resolver, options);
    std::string mismatch = Compare(row, verdict);
    if (mismatch.empty()) continue;
    differences.insert(row.at("id"));
    if (!kKnownDifferences.contains(row.at("id"))) {
      ADD_FAILURE() << row.at("id") << " (" << row.at("notes") << "): " << mismatch
                    << "reason: " << verdict.reason;
    }
  }
  EXPECT_EQ(differences, kKnownDifferences);
}

// The same cases in the default RFC 9989 mode: the manifest's columns are RFC 7489 answers,
// so this only checks that the tree walk reaches the same result token wherever the two
// RFCs agree, and lists where and why they do not.
TEST(DmarcConformance, Rfc9989ModeDiffersOnlyWhereTheRfcsDiffer) {
  auto zone = dns::ZoneResolver::FromFiles({kDir + "dmarc.zone"});
  ASSERT_TRUE(zone.has_value());
  FailingResolver resolver(*zone, {"_dmarc.c42.example"});
  std::map<std::string, std::string> differences;
  for (const Row& row : ReadTsv(kDir + "cases.tsv")) {
    DmarcVerdict verdict = EvaluateDmarc(InputOf(row), resolver, DmarcOptions{});
    std::string result(ToToken(verdict.result));
    if (result != row.at("expected_dmarc")) {
      differences[row.at("id")] = result;
    } else if (std::string(ToToken(verdict.disposition)) != row.at("expected_disposition") &&
               row.at("id") != "c27") {
      differences[row.at("id")] = "dis=" + std::string(ToToken(verdict.disposition));
    }
  }
  // c24, c25: pct was removed (RFC 9989 §A.6) and is not applied, so p applies in full.
  // c36: "v=DMARC1; adkim=s" has no p; RFC 9989 §4.7 treats it as p=none (RFC 7489 §6.6.3
  // step 6 needed a valid rua for that), so the message is evaluated and fails.
  // p06: the tree walk knows no PSL. foo.kawasaki.jp (a public suffix under the PSL's
  // *.kawasaki.jp) publishes a record without psd=y, so it is the name with the fewest
  // labels holding a record and becomes the Organizational Domain of both the author and
  // other.foo.kawasaki.jp (§4.10.2 rule 3): relaxed DKIM alignment passes. RFC 9989 §11.8
  // describes exactly this risk and its remedy (psd=y at the PSD, or psd=n below it).
  std::map<std::string, std::string> expected = {
      {"c24", "dis=reject"}, {"c25", "dis=quarantine"}, {"c36", "fail"}, {"p06", "pass"}};
  EXPECT_EQ(differences, expected);
}

}  // namespace
}  // namespace kenin::policy
