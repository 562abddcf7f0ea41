// Prints one JSON object per line: an Authentication-Results value rendered by kenin for a
// combination of results, and what it must parse back to (taken from the verdicts, not from
// our own parser). tests/authres/parse_back.py feeds every line to python3-authres and to
// Perl's Mail::AuthenticationResults.
#include <iostream>

#include <nlohmann/json.hpp>

#include "policy/auth_results.h"

namespace {

using namespace kenin;

// Reasons with the characters that force quoting; quotes and backslashes are made plain by
// the renderer (policy/auth_results.cc PlainReason), so the expectation says what they become.
constexpr const char* kReasons[] = {"", "body hash did not verify", "key \"s1\" revoked; see (docs) \\ here"};
constexpr const char* kRenderedReasons[] = {"", "body hash did not verify", "key 's1' revoked; see (docs) / here"};

nlohmann::json Expect(std::string_view method, std::string_view result, const std::string& reason,
                      const nlohmann::json& properties) {
  return {{"method", method}, {"result", result}, {"reason", reason}, {"properties", properties}};
}

verifier::DkimVerdict Dkim(verifier::DkimResult result, const std::string& reason) {
  verifier::DkimVerdict v;
  v.result = result;
  v.reason = result == verifier::DkimResult::kPass ? "" : reason;
  v.ids = {"example.com", "s1", "first.last@sub.example.com", "rsa-sha256", "ab/+CD=e", 2048};
  return v;
}

}  // namespace

int main() {
  using verifier::DkimResult;
  const DkimResult dkim_results[] = {DkimResult::kNone, DkimResult::kPass, DkimResult::kFail, DkimResult::kPolicy,
                                     DkimResult::kNeutral, DkimResult::kTempError, DkimResult::kPermError};
  const policy::SpfResult spf_results[] = {policy::SpfResult::kNone, policy::SpfResult::kNeutral,
                                           policy::SpfResult::kPass, policy::SpfResult::kFail,
                                           policy::SpfResult::kSoftFail, policy::SpfResult::kTempError,
                                           policy::SpfResult::kPermError};
  const policy::DmarcResult dmarc_results[] = {policy::DmarcResult::kNone, policy::DmarcResult::kPass,
                                               policy::DmarcResult::kFail, policy::DmarcResult::kTempError,
                                               policy::DmarcResult::kPermError};
  int index = 0;
  for (DkimResult dkim : dkim_results) {
    for (policy::SpfResult spf_result : spf_results) {
      for (policy::DmarcResult dmarc_result : dmarc_results) {
        const std::string reason = kReasons[index % 3];
        const std::string rendered = kRenderedReasons[index++ % 3];
        std::vector<verifier::DkimVerdict> verdicts;
        if (dkim != DkimResult::kNone) verdicts = {Dkim(dkim, reason), Dkim(DkimResult::kPass, "")};
        // The key comment in each form (policy/auth_results.cc AddKeyComment): type and size,
        // the DNSSEC status or none, and a pass with content after l=; the parsers skip it.
        for (verifier::DkimVerdict& v : verdicts) {
          v.ids.key_type = index % 2 ? "rsa" : "";
          if (index % 3 != 0) v.key_dnssec = index % 3 == 1;
          v.body_length = 120;
          v.body_truncated = index % 4 == 0;
        }
        policy::SpfVerdict spf;
        spf.result = spf_result;
        spf.reason = spf_result == policy::SpfResult::kPass ? "" : reason;
        spf.identity = index % 2 ? "mailfrom" : "helo";
        spf.domain = "mail.example.org";
        policy::DmarcVerdict dmarc;
        dmarc.result = dmarc_result;
        dmarc.reason = dmarc_result == policy::DmarcResult::kPass ? "" : reason;
        dmarc.from_domain = "example.com";
        if (dmarc_result == policy::DmarcResult::kFail || dmarc_result == policy::DmarcResult::kPass) {
          dmarc.policy = policy::Disposition::kReject;
          dmarc.disposition = dmarc_result == policy::DmarcResult::kFail ? policy::Disposition::kQuarantine
                                                                         : policy::Disposition::kNone;
        }
        std::vector<std::string> items = policy::DkimResinfo(verdicts);
        items.push_back(policy::SpfResinfo(spf));
        items.push_back(policy::DmarcResinfo(dmarc));

        nlohmann::json expected = nlohmann::json::array();
        if (verdicts.empty()) expected.push_back(Expect("dkim", "none", "", nlohmann::json::object()));
        for (const verifier::DkimVerdict& v : verdicts) {
          expected.push_back(Expect("dkim", verifier::ToToken(v.result), v.reason.empty() ? "" : rendered,
                                    {{"header.d", v.ids.domain}, {"header.i", v.ids.identity},
                                     {"header.s", v.ids.selector}, {"header.a", v.ids.algorithm},
                                     {"header.b", v.ids.b_prefix}}));
        }
        expected.push_back(Expect("spf", policy::ToToken(spf.result), spf.reason.empty() ? "" : rendered,
                                  {{spf.identity == "helo" ? "smtp.helo" : "smtp.mailfrom", spf.domain}}));
        expected.push_back(Expect("dmarc", policy::ToToken(dmarc.result), dmarc.reason.empty() ? "" : rendered,
                                  {{"header.from", dmarc.from_domain}}));
        std::cout << nlohmann::json{{"folded", policy::FoldAuthResults("mx.example.net", items, "\r\n\t")},
                                    {"authserv_id", "mx.example.net"},
                                    {"results", expected}}
                         .dump()
                  << "\n";
      }
    }
  }
  // ARC (issue 9): arc= with header.oldest-pass and smtp.remote-ip (IPv6 quoted), and a DMARC
  // fail overridden by a trusted sealer (policy.arc-override).
  for (arc::ArcResult arc_result : {arc::ArcResult::kPass, arc::ArcResult::kFail}) {
    for (const char* client_ip : {"192.0.2.1", "2001:db8::1"}) {
      arc::ArcVerdict chain;
      chain.result = arc_result;
      if (arc_result == arc::ArcResult::kPass) chain.oldest_pass = 1;
      else chain.reason = kReasons[2];
      policy::DmarcVerdict dmarc;
      dmarc.result = policy::DmarcResult::kFail;
      dmarc.reason = "no DKIM or SPF pass aligned with example.com";
      dmarc.from_domain = "example.com";
      dmarc.policy = policy::Disposition::kReject;
      std::vector<std::string> items = {policy::DmarcResinfo(dmarc)};
      nlohmann::json dmarc_properties = {{"header.from", "example.com"}};
      if (arc_result == arc::ArcResult::kPass) {
        policy::AddArcOverride(items.back(), "lists.example.org");
        dmarc_properties["policy.arc-override"] = "lists.example.org";
      }
      items.push_back(policy::ArcResinfo(chain, client_ip));
      nlohmann::json arc_properties = {{"smtp.remote-ip", client_ip}};
      if (chain.oldest_pass) arc_properties["header.oldest-pass"] = "1";
      nlohmann::json expected = nlohmann::json::array();
      expected.push_back(Expect("dmarc", "fail", dmarc.reason, dmarc_properties));
      expected.push_back(Expect("arc", arc::ToToken(arc_result),
                                chain.reason.empty() ? "" : kRenderedReasons[2], arc_properties));
      std::cout << nlohmann::json{{"folded", policy::FoldAuthResults("mx.example.net", items, "\r\n\t")},
                                  {"authserv_id", "mx.example.net"},
                                  {"results", expected}}
                       .dump()
                << "\n";
    }
  }
  return 0;
}
