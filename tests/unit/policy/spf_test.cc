// check_host() end to end on an in-memory resolver that counts its queries and can fail on
// purpose: results, identities, explanations, DNS failures, each mechanism, bad and huge
// records. The §4.6.4 limits (loops, chains, 100-term records) are in spf_limits_test.cc.
#include "policy/spf.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kenin::policy {
namespace {

using dns::RecordType;

// Answers from a map; absent names are NXDOMAIN, names in `timeouts` time out, names in
// `servfail` answer SERVFAIL. Counts every Lookup().
class FakeResolver : public dns::Resolver {
 public:
  void Add(const std::string& name, RecordType type, std::vector<std::string> strings) {
    names_.insert(name);
    answers_[{type, name}].push_back(dns::Record{std::move(strings), 300});
  }
  void Txt(const std::string& name, const std::string& text) {
    Add(name, RecordType::kTxt, {text});
  }
  void A(const std::string& name, const std::string& ip) { Add(name, RecordType::kA, {ip}); }
  void Timeout(const std::string& name) { timeouts_.insert(name); }
  void ServFail(const std::string& name) { servfail_.insert(name); }

  dns::AnswerFuture Lookup(const dns::Question& question) override {
    ++queries;
    std::string name = dns::NormalizeName(question.name);
    asked.push_back(name);
    if (timeouts_.contains(name)) {
      return dns::ReadyAnswer(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "timeout"}));
    }
    dns::Answer answer;
    if (servfail_.contains(name)) {
      answer.rcode = dns::Rcode::kServFail;
    } else if (!names_.contains(name)) {
      answer.rcode = dns::Rcode::kNxDomain;
    } else if (auto it = answers_.find({question.type, name}); it != answers_.end()) {
      answer.records = it->second;
    }
    return dns::ReadyAnswer(answer);
  }

  int queries = 0;
  std::vector<std::string> asked;

 private:
  std::set<std::string> names_;
  std::set<std::string> timeouts_;
  std::set<std::string> servfail_;
  std::map<std::pair<RecordType, std::string>, std::vector<dns::Record>> answers_;
};

SpfVerdict Check(FakeResolver& dns, const std::string& ip, const std::string& mail_from,
                 const std::string& helo = "mx.client.test") {
  SpfRequest request;
  request.client_ip = ip;
  request.mail_from = mail_from;
  request.helo = helo;
  return CheckSpf(request, dns);
}

TEST(Spf, Ip4PassesAndCarriesTheIdentity) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all");
  SpfVerdict v = Check(dns, "192.0.2.7", "alice@example.com");
  EXPECT_EQ(v.result, SpfResult::kPass);
  EXPECT_EQ(v.identity, "mailfrom");
  EXPECT_EQ(v.domain, "example.com");
  EXPECT_EQ(v.sender, "alice@example.com");
  EXPECT_EQ(v.dns_queries, 1);
}

TEST(Spf, FailCarriesTheExpandedExplanation) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 -all exp=why.example.com");
  dns.Txt("why.example.com", "%{i} may not send for %{d} (%{l})");
  SpfVerdict v = Check(dns, "198.51.100.9", "bob@example.com");
  EXPECT_EQ(v.result, SpfResult::kFail);
  EXPECT_EQ(v.explanation, "198.51.100.9 may not send for example.com (bob)");
  EXPECT_EQ(v.reason, "matched -all");
}

TEST(Spf, ExplanationOnlyForFail) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 ~all exp=why.example.com");
  dns.Txt("why.example.com", "go away");
  SpfVerdict v = Check(dns, "198.51.100.9", "bob@example.com");
  EXPECT_EQ(v.result, SpfResult::kSoftFail);
  EXPECT_EQ(v.explanation, "");
  EXPECT_EQ(dns.queries, 1) << "exp= is not looked up for softfail";
}

TEST(Spf, ExplanationTimeoutIsIgnored) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 -all exp=why.example.com");
  dns.Timeout("why.example.com");
  SpfVerdict v = Check(dns, "198.51.100.9", "bob@example.com");
  EXPECT_EQ(v.result, SpfResult::kFail);
  EXPECT_EQ(v.explanation, "");
}

TEST(Spf, NullSenderChecksHeloAsPostmaster) {
  FakeResolver dns;
  dns.Txt("mx.client.test", "v=spf1 exists:%{l}.%{o}.allow.test -all");
  dns.A("postmaster.mx.client.test.allow.test", "127.0.0.2");
  SpfVerdict v = Check(dns, "192.0.2.1", "", "mx.client.test");
  EXPECT_EQ(v.result, SpfResult::kPass);
  EXPECT_EQ(v.identity, "helo");
  EXPECT_EQ(v.domain, "mx.client.test");
  EXPECT_EQ(v.sender, "postmaster@mx.client.test");
}

TEST(Spf, NoRecordNoDomainAndBadDomainAreNone) {
  FakeResolver dns;
  dns.Txt("example.com", "google-site-verification=abc");
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@example.com").result, SpfResult::kNone);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@missing.example").result, SpfResult::kNone);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@[192.0.2.1]").result, SpfResult::kNone);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@localhost").result, SpfResult::kNone);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@x..example.com").result, SpfResult::kNone);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@" + std::string(64, 'x') + ".example").result,
            SpfResult::kNone);
  EXPECT_EQ(dns.queries, 2) << "malformed domains are not looked up";
}

TEST(Spf, TwoSpfRecordsArePermError) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 -all");
  dns.Txt("example.com", "v=spf1 +all");
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@example.com").result, SpfResult::kPermError);
}

TEST(Spf, RecordLookupTimeoutOrServFailIsTempError) {
  FakeResolver dns;
  dns.Timeout("slow.example");
  dns.ServFail("broken.example");
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@slow.example").result, SpfResult::kTempError);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@broken.example").result, SpfResult::kTempError);
}

TEST(Spf, TimeoutMidEvaluationIsTempError) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 ip4:10.0.0.1 include:inc.example.com -all");
  dns.Txt("inc.example.com", "v=spf1 a:host.example.com mx:slow.example.com -all");
  dns.A("host.example.com", "10.9.9.9");
  dns.Timeout("slow.example.com");
  SpfVerdict v = Check(dns, "192.0.2.1", "a@example.com");
  EXPECT_EQ(v.result, SpfResult::kTempError);
  EXPECT_NE(v.reason.find("slow.example.com"), std::string::npos) << v.reason;
}

TEST(Spf, ResolverThatAlwaysTimesOutEndsAtOnce) {
  FakeResolver dns;
  for (const char* name : {"example.com", "a.example.com"}) dns.Timeout(name);
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@example.com").result, SpfResult::kTempError);
  EXPECT_EQ(dns.queries, 1);
}

TEST(Spf, PtrLookupFailureIsNoMatchNotTempError) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 ptr ?all");
  dns.Timeout("1.2.0.192.in-addr.arpa");
  EXPECT_EQ(Check(dns, "192.0.2.1", "a@example.com").result, SpfResult::kNeutral);
}

TEST(Spf, MxMatchesAnyHostAndSkipsNullMx) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 mx/24 -all");
  dns.Add("example.com", RecordType::kMx, {"0 ."});
  dns.Add("example.com", RecordType::kMx, {"10 mx1.example.com."});
  dns.Add("example.com", RecordType::kMx, {"20 mx2.example.com."});
  dns.A("mx1.example.com", "10.0.0.1");
  dns.A("mx2.example.com", "192.0.2.200");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kPass);
}

TEST(Spf, SameQuestionIsAskedOnce) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 a a/24 a//64 -all");
  dns.A("example.com", "10.0.0.1");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kFail);
  EXPECT_EQ(dns.queries, 2);
}

TEST(Spf, Ip4MappedClientIsIpv4) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 ip6:::ffff:0:0/96 a -all");
  dns.A("example.com", "192.0.2.1");
  SpfVerdict v = Check(dns, "::ffff:192.0.2.1", "x@example.com");
  EXPECT_EQ(v.result, SpfResult::kPass);
  EXPECT_EQ(v.reason, "matched a");
}

TEST(Spf, Ipv6ClientUsesAaaaAndIp6Cidr) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 a//48 -all");
  dns.Add("example.com", RecordType::kAaaa, {"2001:db8:1::1"});
  EXPECT_EQ(Check(dns, "2001:db8:1:ffff::9", "x@example.com").result, SpfResult::kPass);
  EXPECT_EQ(Check(dns, "2001:db8:2::9", "x@example.com").result, SpfResult::kFail);
}

TEST(Spf, PtrMacroUsesTheValidatedName) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 exists:%{p}.allow.test -all");
  dns.Add("1.2.0.192.in-addr.arpa", RecordType::kPtr, {"other.test."});
  dns.Add("1.2.0.192.in-addr.arpa", RecordType::kPtr, {"mail.example.com."});
  dns.A("mail.example.com", "192.0.2.1");
  dns.A("other.test", "192.0.2.1");
  dns.A("mail.example.com.allow.test", "127.0.0.2");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kPass);
}

TEST(Spf, PtrChecksAtMostTenNames) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 ptr -all");
  for (int i = 0; i < 10; ++i) {
    dns.Add("1.2.0.192.in-addr.arpa", RecordType::kPtr, {"h" + std::to_string(i) + ".other.test."});
  }
  dns.Add("1.2.0.192.in-addr.arpa", RecordType::kPtr, {"mail.example.com."});
  dns.A("mail.example.com", "192.0.2.1");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kFail);
}

TEST(Spf, RedirectIsIgnoredWhenAllIsPresent) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 redirect=other.example ?all");
  dns.Txt("other.example", "v=spf1 +all");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kNeutral);
  EXPECT_EQ(dns.queries, 1);
}

TEST(Spf, RedirectUsesTheTargetsExplanation) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 exp=mine.example redirect=other.example");
  dns.Txt("other.example", "v=spf1 -all exp=theirs.example");
  dns.Txt("mine.example", "mine");
  dns.Txt("theirs.example", "theirs for %{d}, sender domain %{o}");
  SpfVerdict v = Check(dns, "192.0.2.1", "x@example.com");
  EXPECT_EQ(v.result, SpfResult::kFail);
  EXPECT_EQ(v.explanation, "theirs for other.example, sender domain example.com");
}

TEST(Spf, IncludeOfDomainWithoutRecordIsPermError) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 include:nothing.example -all");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kPermError);
}

TEST(Spf, GarbageRecordsArePermErrorAndDoNotCrash) {
  const std::vector<std::string> records = {
      "v=spf1 \x01",
      "v=spf1 a:",
      "v=spf1 ip4:300.1.1.1",
      "v=spf1 ip4:1.2.3.4/",
      "v=spf1 a/33",
      "v=spf1 a//129",
      "v=spf1 ip6:::1/129",
      "v=spf1 ip4:1.2.3.4/01",
      "v=spf1 a:%{x}.test",
      "v=spf1 a:%{d0}.test",
      "v=spf1 a:foo%",
      "v=spf1 exists:%{d",
      "v=spf1 -all\t",
      "v=spf1 =",
      "v=spf1 redirect=",
      "v=spf1 +",
      "v=spf1 all:x",
      "v=spf1 include",
      "v=spf1 mx:-.-",
      "v=spf1 ptr:",
      "v=spf1 exp=a exp=b",
      "v=spf1 \xff\xfe",
      "v=spf1 a:x.com\r\n",
      "v=spf1 ip6:1::2::3",
      std::string("v=spf1 a:x.com\0 -all", 20),
  };
  for (const std::string& record : records) {
    FakeResolver dns;
    dns.Txt("example.com", record);
    EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kPermError) << record;
  }
}

TEST(Spf, HugeRecordsAreHandled) {
  FakeResolver dns;
  dns.Txt("one-term.example", "v=spf1 a:" + std::string(65000, 'x') + ".com");
  std::string many = "v=spf1";
  while (many.size() < 65000) many += " ip4:10.1.2.3";
  dns.Txt("many.example", many + " -all");
  dns.Txt("junk.example", "v=spf1 " + std::string(65000, '%'));
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@one-term.example").result, SpfResult::kNeutral);
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@many.example").result, SpfResult::kFail);
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@junk.example").result, SpfResult::kPermError);
}

TEST(Spf, UnknownModifiersAreIgnored) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 foo=bar moo.cow-x_y=%{d} ip4:192.0.2.1 -all");
  EXPECT_EQ(Check(dns, "192.0.2.1", "x@example.com").result, SpfResult::kPass);
}

TEST(Spf, TimeMacroUsesTheGivenNow) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 -all exp=why.example.com");
  dns.Txt("why.example.com", "at %{t} for %{r}");
  SpfRequest request{"192.0.2.1", "helo.test", "x@example.com", "mx.receiver.test", 1767225600};
  SpfVerdict v = CheckSpf(request, dns);
  EXPECT_EQ(v.explanation, "at 1767225600 for mx.receiver.test");
}

TEST(Spf, UnusableClientAddressIsNone) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 -all");
  EXPECT_EQ(Check(dns, "not-an-ip", "x@example.com").result, SpfResult::kNone);
  EXPECT_EQ(dns.queries, 0);
}

TEST(Spf, MissingLocalPartBecomesPostmaster) {
  FakeResolver dns;
  dns.Txt("example.com", "v=spf1 -all exp=why.example.com");
  dns.Txt("why.example.com", "%{s}");
  SpfVerdict v = Check(dns, "192.0.2.1", "@example.com");
  EXPECT_EQ(v.sender, "postmaster@example.com");
  EXPECT_EQ(v.explanation, "postmaster@example.com");
}

TEST(Spf, CheckHostReportsTheHeloIdentity) {
  FakeResolver dns;
  dns.Txt("mx.client.test", "v=spf1 +all");
  SpfVerdict v =
      CheckHost("192.0.2.1", "mx.client.test", "postmaster@mx.client.test", "mx.client.test", dns);
  EXPECT_EQ(v.result, SpfResult::kPass);
  EXPECT_EQ(v.identity, "helo");
}

TEST(Spf, TokensAreTheRfc8601Words) {
  EXPECT_EQ(ToToken(SpfResult::kNone), "none");
  EXPECT_EQ(ToToken(SpfResult::kNeutral), "neutral");
  EXPECT_EQ(ToToken(SpfResult::kPass), "pass");
  EXPECT_EQ(ToToken(SpfResult::kFail), "fail");
  EXPECT_EQ(ToToken(SpfResult::kSoftFail), "softfail");
  EXPECT_EQ(ToToken(SpfResult::kTempError), "temperror");
  EXPECT_EQ(ToToken(SpfResult::kPermError), "permerror");
}

}  // namespace
}  // namespace kenin::policy
