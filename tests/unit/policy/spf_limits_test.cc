// The RFC 7208 §4.6.4 limits that keep hostile records cheap: include and redirect loops,
// long include chains, records of 100 DNS terms, void lookups, MX host counts. Zones are
// RFC 1035 text served by the real zone-file backend (so record text is what a resolver
// gives), behind a wrapper that counts the questions asked.
#include <gtest/gtest.h>

#include <string>

#include "dns/zone_resolver.h"
#include "policy/spf.h"

namespace kenin::policy {
namespace {

class CountingZone : public dns::Resolver {
 public:
  explicit CountingZone(const std::string& text)
      : zone_(*dns::ZoneResolver::FromText(text, "spf_limits.zone")) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    ++queries;
    return zone_.Lookup(question);
  }
  int queries = 0;

 private:
  dns::ZoneResolver zone_;
};

// One TXT record, split into character-strings of at most 200 octets (RFC 1035 §3.3).
std::string Txt(const std::string& name, const std::string& text) {
  std::string line = name + ". 300 IN TXT";
  for (size_t i = 0; i < text.size(); i += 200) line += " \"" + text.substr(i, 200) + "\"";
  return line + "\n";
}

std::string A(const std::string& name, const std::string& ip) {
  return name + ". 300 IN A " + ip + "\n";
}

SpfVerdict Check(CountingZone& zone, const std::string& mail_from) {
  SpfRequest request;
  request.client_ip = "192.0.2.1";
  request.helo = "mx.client.test";
  request.mail_from = mail_from;
  return CheckSpf(request, zone);
}

TEST(SpfLimits, IncludeLoopIsPermErrorAfterTwoQueries) {
  CountingZone zone(Txt("a.example", "v=spf1 include:b.example -all") +
                    Txt("b.example", "v=spf1 include:a.example -all"));
  SpfVerdict v = Check(zone, "x@a.example");
  EXPECT_EQ(v.result, SpfResult::kPermError);
  EXPECT_EQ(v.reason, "include loop at a.example");
  EXPECT_EQ(zone.queries, 2);
}

TEST(SpfLimits, RedirectLoopIsPermErrorAfterTwoQueries) {
  CountingZone zone(Txt("a.example", "v=spf1 redirect=b.example") +
                    Txt("b.example", "v=spf1 ip4:10.0.0.1 redirect=a.example"));
  SpfVerdict v = Check(zone, "x@a.example");
  EXPECT_EQ(v.result, SpfResult::kPermError);
  EXPECT_EQ(v.reason, "redirect loop at a.example");
  EXPECT_EQ(zone.queries, 2);
}

TEST(SpfLimits, SelfRedirectIsALoop) {
  CountingZone zone(Txt("a.example", "v=spf1 redirect=A.Example."));
  EXPECT_EQ(Check(zone, "x@a.example").result, SpfResult::kPermError);
  EXPECT_EQ(zone.queries, 1);
}

TEST(SpfLimits, LoopThroughNewNamesEndsAtTheTermLimit) {
  // Each level names a new domain, so only the term limit can stop it.
  std::string text;
  std::string name = "a.example";
  for (int i = 0; i < 20; ++i, name = "x." + name) text += Txt(name, "v=spf1 include:x.%{d} -all");
  CountingZone zone(text);
  SpfVerdict v = Check(zone, "x@a.example");
  EXPECT_EQ(v.result, SpfResult::kPermError);
  EXPECT_EQ(v.reason, "more than 10 DNS-querying terms");
  EXPECT_EQ(v.dns_mechanisms, 11);
  EXPECT_EQ(zone.queries, 11);
}

std::string IncludeChain(int length) {
  std::string text;
  for (int i = 0; i < length; ++i) {
    text += Txt("d" + std::to_string(i) + ".example",
                "v=spf1 include:d" + std::to_string(i + 1) + ".example -all");
  }
  return text + Txt("d" + std::to_string(length) + ".example", "v=spf1 +all");
}

TEST(SpfLimits, ElevenLookupChainIsPermError) {
  CountingZone zone(IncludeChain(11));
  SpfVerdict v = Check(zone, "x@d0.example");
  EXPECT_EQ(v.result, SpfResult::kPermError);
  EXPECT_EQ(zone.queries, 11);  // d0..d10; d11 is never fetched
}

TEST(SpfLimits, TenLookupChainIsWithinTheLimit) {
  CountingZone zone(IncludeChain(10));
  EXPECT_EQ(Check(zone, "x@d0.example").result, SpfResult::kPass);
}

TEST(SpfLimits, HundredDnsMechanismsArePermErrorAfterElevenQueries) {
  std::string record = "v=spf1";
  std::string text;
  for (int i = 0; i < 100; ++i) {
    std::string host = "h" + std::to_string(i) + ".example.com";
    record += " a:" + host;
    text += A(host, "10.0.0.1");
  }
  CountingZone zone(text + Txt("example.com", record + " +all"));
  SpfVerdict v = Check(zone, "x@example.com");
  EXPECT_EQ(v.result, SpfResult::kPermError);
  EXPECT_EQ(zone.queries, 11);  // the TXT record and ten A lookups
}

TEST(SpfLimits, HundredMxMechanismsStayBounded) {
  std::string record = "v=spf1";
  std::string text;
  for (int i = 0; i < 100; ++i) {
    std::string domain = "m" + std::to_string(i) + ".example.com";
    record += " mx:" + domain;
    for (int j = 0; j < 10; ++j) {
      std::string host = "mx" + std::to_string(j) + "." + domain;
      text +=
          domain + ". 300 IN MX " + std::to_string(j) + " " + host + ".\n" + A(host, "10.0.0.1");
    }
  }
  CountingZone zone(text + Txt("example.com", record));
  EXPECT_EQ(Check(zone, "x@example.com").result, SpfResult::kPermError);
  EXPECT_EQ(zone.queries, 1 + 10 * (1 + 10));
}

TEST(SpfLimits, HundredIp4MechanismsNeedNoFurtherDns) {
  std::string record = "v=spf1";
  for (int i = 0; i < 100; ++i) record += " ip4:10.0." + std::to_string(i) + ".0/24";
  CountingZone zone(Txt("example.com", record + " ip4:192.0.2.1 -all"));
  EXPECT_EQ(Check(zone, "x@example.com").result, SpfResult::kPass);
  EXPECT_EQ(zone.queries, 1);
}

TEST(SpfLimits, ThirdVoidLookupIsPermError) {
  CountingZone zone(
      Txt("two.example", "v=spf1 a:n1.example exists:n2.example ?all") +
      Txt("three.example", "v=spf1 a:n1.example exists:n2.example mx:n3.example ?all"));
  EXPECT_EQ(Check(zone, "x@two.example").result, SpfResult::kNeutral);
  SpfVerdict v = Check(zone, "x@three.example");
  EXPECT_EQ(v.result, SpfResult::kPermError);
  EXPECT_EQ(v.reason, "more than 2 void lookups");
}

TEST(SpfLimits, NodataCountsAsVoid) {
  CountingZone zone(Txt("example.com", "v=spf1 a:n.example a:n.example a:m.example ?all") +
                    "n.example. 300 IN MX 10 x.example.\nm.example. 300 IN MX 10 x.example.\n");
  // Two distinct NODATA names, the first asked twice: still three void terms.
  EXPECT_EQ(Check(zone, "x@example.com").result, SpfResult::kPermError);
}

TEST(SpfLimits, MoreThanTenMxHostsIsPermErrorWithoutAddressLookups) {
  std::string text = Txt("example.com", "v=spf1 mx -all");
  for (int i = 0; i < 11; ++i) {
    text += "example.com. 300 IN MX " + std::to_string(i) + " mx" + std::to_string(i) +
            ".example.com.\n";
  }
  CountingZone zone(text);
  EXPECT_EQ(Check(zone, "x@example.com").result, SpfResult::kPermError);
  EXPECT_EQ(zone.queries, 2);
}

TEST(SpfLimits, LimitsAreConfigurable) {
  CountingZone zone(IncludeChain(4));
  SpfOptions options;
  options.max_dns_mechanisms = 3;
  SpfRequest request{"192.0.2.1", "mx.client.test", "x@d0.example"};
  EXPECT_EQ(CheckSpf(request, zone, options).result, SpfResult::kPermError);
  options.max_dns_mechanisms = 4;
  EXPECT_EQ(CheckSpf(request, zone, options).result, SpfResult::kPass);
}

}  // namespace
}  // namespace kenin::policy
