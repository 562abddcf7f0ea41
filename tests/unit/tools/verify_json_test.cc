// AppendReportJson writes the JSON by hand; these tests hold it to the bytes nlohmann::json
// gives for the same object, built the straightforward way (a document tree, dumped), on
// reports with and without SPF and DMARC and with strings that need escaping or are not UTF-8.
#include "tools/verify_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace kenin::tools {
namespace {

std::string Reference(const std::string& file, const policy::SessionReport& report) {
  nlohmann::json dkim = nlohmann::json::array();
  for (const verifier::DkimVerdict& v : report.dkim) {
    dkim.push_back({{"result", verifier::ToToken(v.result)},
                    {"domain", v.ids.domain},
                    {"selector", v.ids.selector},
                    {"algorithm", v.ids.algorithm},
                    {"identity", v.ids.identity},
                    {"key_bits", v.ids.key_bits},
                    {"reason", v.reason},
                    {"testing", v.key_testing},
                    {"body_truncated", v.body_truncated},
                    {"dnssec", !v.key_dnssec ? "unknown" : *v.key_dnssec ? "secure" : "unsigned"}});
  }
  nlohmann::json json = {{"file", file}, {"dkim", dkim}};
  if (report.spf) {
    json["spf"] = {{"result", policy::ToToken(report.spf->result)},
                   {"domain", report.spf->domain},
                   {"identity", report.spf->identity},
                   {"reason", report.spf->reason}};
  }
  if (report.dmarc) {
    const policy::DmarcVerdict& d = *report.dmarc;
    json["dmarc"] = {{"result", policy::ToToken(d.result)},
                     {"policy", d.policy ? std::string(policy::ToToken(*d.policy)) : "none"},
                     {"disposition", policy::ToToken(d.disposition)},
                     {"from_domain", d.from_domain},
                     {"reason", d.reason}};
  }
  if (report.arc) {
    const arc::ArcVerdict& a = *report.arc;
    json["arc"] = {{"result", arc::ToToken(a.result)},
                   {"reason", a.reason},
                   {"instances", a.instances},
                   {"oldest_pass", a.oldest_pass ? nlohmann::json(*a.oldest_pass) : nlohmann::json()},
                   {"sealer", a.sealer()},
                   {"remote_ip", a.remote_ip},
                   {"override", !report.dmarc_arc_override.empty()}};
  }
  json["score"] = report.score;
  json["authentication_results"] = report.authentication_results;
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Written(const std::string& file, const policy::SessionReport& report) {
  std::string out;
  AppendReportJson(file, report, out);
  return out;
}

verifier::DkimVerdict Verdict(verifier::DkimResult result, std::string reason) {
  return {.result = result,
          .reason = std::move(reason),
          .ids = {.domain = "example.org",
                  .selector = "sel",
                  .identity = "@example.org",
                  .algorithm = "rsa-sha256",
                  .b_prefix = "",
                  .key_bits = 2048}};
}

TEST(VerifyJson, NoSignatureNoSpfMatchesReference) {
  policy::SessionReport report;
  report.dmarc.emplace();
  report.authentication_results = "mx.example.net; dkim=none; dmarc=none";
  EXPECT_EQ(Written("m1.eml", report), Reference("m1.eml", report));
}

TEST(VerifyJson, FullReportMatchesReference) {
  policy::SessionReport report;
  report.dkim.push_back(Verdict(verifier::DkimResult::kPass, ""));
  report.dkim.push_back(Verdict(verifier::DkimResult::kFail, "body hash did not verify"));
  report.dkim.front().key_dnssec = true;
  report.dkim.back().key_testing = true;
  report.dkim.back().body_truncated = true;
  report.dkim.back().key_dnssec = false;
  report.spf.emplace();
  report.spf->result = policy::SpfResult::kSoftFail;
  report.spf->domain = "example.org";
  report.spf->identity = "mailfrom";
  report.dmarc.emplace();
  report.dmarc->result = policy::DmarcResult::kPass;
  report.dmarc->policy = policy::Disposition::kReject;
  report.dmarc->from_domain = "example.org";
  report.score = -3.0;
  report.authentication_results = "mx; dkim=pass header.d=example.org";
  EXPECT_EQ(Written("dir/m2.eml", report), Reference("dir/m2.eml", report));
  // Each DNSSEC status reads as documented (docs/configuration.md, kenin verify JSON).
  const std::string written = Written("dir/m2.eml", report);
  EXPECT_NE(written.find(R"("dnssec":"secure")"), std::string::npos) << written;
  EXPECT_NE(written.find(R"("dnssec":"unsigned")"), std::string::npos) << written;
}

TEST(VerifyJson, EscapesAndInvalidUtf8MatchReference) {
  policy::SessionReport report;
  // Quotes, backslashes, control octets, DEL, valid UTF-8 and broken UTF-8 (a TXT record or
  // a file name may hold any octet).
  report.dkim.push_back(
      Verdict(verifier::DkimResult::kPermError,
              std::string("bad \"tag\" \\ \t\n\x01\x7f caf\xc3\xa9 \xc3\x28 \xff") +
                  std::string(1, '\0') + "end"));
  report.dkim.back().ids.selector = "\xe2\x82";  // truncated sequence at the end
  report.dmarc.emplace();
  report.dmarc->reason = "r\xa0\xa1";
  report.score = 0.1 + 0.2;
  EXPECT_EQ(Written("we\"ird\\name\x80.eml", report), Reference("we\"ird\\name\x80.eml", report));
}

TEST(VerifyJson, EachOctetIsEscapedWhereverItStands) {
  // The plain-text check goes sixteen octets at a time and then one by one: an octet that
  // needs escaping is caught in either part and at either end of a block.
  for (const char special : {'\x01', '\x1f', '\x7f', '"', '\\', '\x80', '\xff'}) {
    for (size_t at = 0; at < 40; ++at) {
      policy::SessionReport report;
      report.authentication_results = std::string(40, 'a');
      report.authentication_results[at] = special;
      EXPECT_EQ(Written("m.eml", report), Reference("m.eml", report))
          << "octet " << static_cast<int>(static_cast<unsigned char>(special)) << " at " << at;
    }
  }
}

arc::ArcSetInfo SealedBy(int instance, std::string domain) {
  arc::ArcSetInfo set;
  set.instance = instance;
  set.seal_domain = std::move(domain);
  return set;
}

arc::ArcVerdict PassingChain() {
  arc::ArcVerdict verdict;
  verdict.result = arc::ArcResult::kPass;
  verdict.instances = 2;
  verdict.oldest_pass = 2;
  verdict.remote_ip = "2001:db8::1";
  verdict.sets.push_back(SealedBy(1, "first.example"));
  verdict.sets.push_back(SealedBy(2, "lists.example"));
  return verdict;
}

TEST(VerifyJson, ArcPassWithOverrideMatchesReference) {
  policy::SessionReport report;
  report.arc = PassingChain();
  report.dmarc.emplace();
  report.dmarc->result = policy::DmarcResult::kFail;
  report.dmarc_arc_override = "lists.example";
  const std::string written = Written("m.eml", report);
  EXPECT_EQ(written, Reference("m.eml", report));
  EXPECT_NE(written.find(R"("arc":{"instances":2,"oldest_pass":2,"override":true,)"),
            std::string::npos)
      << written;
  EXPECT_NE(written.find(R"("sealer":"lists.example")"), std::string::npos) << written;
}

TEST(VerifyJson, ArcFailAndNoneMatchReference) {
  policy::SessionReport report;
  report.arc.emplace();  // none: no sets, oldest_pass null, sealer empty
  report.arc->reason = "no ARC header fields";
  EXPECT_EQ(Written("m", report), Reference("m", report));
  report.arc = PassingChain();
  report.arc->result = arc::ArcResult::kFail;
  report.arc->oldest_pass.reset();
  report.arc->reason = "ARC-Seal i=1: signature \"did\" not verify \xff";
  const std::string written = Written("m", report);
  EXPECT_EQ(written, Reference("m", report));
  EXPECT_NE(written.find(R"("oldest_pass":null)"), std::string::npos) << written;
}

TEST(VerifyJson, ScoresPrintAsNlohmannPrintsDoubles) {
  for (double score : {0.0, -0.5, 2.0, 1e-7, 12345678.25, -1e21}) {
    policy::SessionReport report;
    report.score = score;
    EXPECT_EQ(Written("m", report), Reference("m", report)) << score;
  }
}

}  // namespace
}  // namespace kenin::tools
