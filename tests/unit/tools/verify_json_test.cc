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
                    {"body_truncated", v.body_truncated}});
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
  report.dkim.back().key_testing = true;
  report.dkim.back().body_truncated = true;
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

TEST(VerifyJson, ScoresPrintAsNlohmannPrintsDoubles) {
  for (double score : {0.0, -0.5, 2.0, 1e-7, 12345678.25, -1e21}) {
    policy::SessionReport report;
    report.score = score;
    EXPECT_EQ(Written("m", report), Reference("m", report)) << score;
  }
}

}  // namespace
}  // namespace kenin::tools
