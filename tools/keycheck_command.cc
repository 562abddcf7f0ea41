#include "tools/keycheck_command.h"

#include <nlohmann/json.hpp>

#include "verifier/key_record.h"
#include "verifier/tag_list.h"

namespace kenin::tools {
namespace {

constexpr unsigned kWeakRsaBits = 1024;   // still accepted (RFC 8301 §3.2), but weak
constexpr unsigned kLargeRsaBits = 4096;  // RFC 8301 §3.2: verifiers need only go to 4096

void LintTags(const verifier::TagList& tags, KeyFinding& finding) {
  if (!tags.FindTag("v")) finding.advice.emplace_back("add v=DKIM1 as the first tag");
  static const std::vector<std::string_view> known = {"v", "h", "k", "n", "p", "s", "t"};
  for (const verifier::Tag& tag : tags.tags()) {
    if (std::find(known.begin(), known.end(), tag.name) == known.end()) {
      finding.advice.push_back("unknown tag '" + std::string(tag.name) + "=' is ignored by verifiers");
    }
  }
}

void LintKey(const verifier::KeyRecord& key, KeyFinding& finding) {
  finding.type = key.type == verifier::KeyType::kEd25519 ? "ed25519" : "rsa";
  finding.bits = key.bits;
  if (key.type == verifier::KeyType::kRsa) {
    if (key.bits < kWeakRsaBits) {
      finding.problems.push_back(std::to_string(key.bits) + "-bit RSA is refused by verifiers (RFC 8301): rotate to 2048 bits");
    } else if (key.bits == kWeakRsaBits) {
      finding.advice.emplace_back("1024-bit RSA is weak: rotate to a 2048-bit key");
    } else if (key.bits > verifier::KeyOptions{}.max_rsa_bits) {
      finding.problems.push_back(std::to_string(key.bits) + "-bit RSA is over the 8192-bit limit");
    } else if (key.bits > kLargeRsaBits) {
      finding.advice.emplace_back("keys over 4096 bits are not required to be supported (RFC 8301 §3.2)");
    }
  }
  if (!key.AllowsHash(verifier::HashAlgorithm::kSha256)) {
    finding.problems.emplace_back("key h= excludes sha256: no acceptable signature can use it");
  }
  if (!key.AllowsEmail()) finding.problems.emplace_back("key s= does not allow email");
  if (key.testing) {
    finding.advice.emplace_back("t=y (testing): receivers may treat failures as unsigned; remove it when done");
  }
}

nlohmann::json ToJson(const KeyReport& report) {
  nlohmann::json records = nlohmann::json::array();
  for (const KeyFinding& f : report.findings) {
    records.push_back({{"record", f.record}, {"usable", f.usable}, {"type", f.type}, {"bits", f.bits},
                       {"problems", f.problems}, {"advice", f.advice}});
  }
  return {{"name", report.name}, {"usable", report.usable()}, {"error", report.lookup_error},
          {"records", records}};
}

void PrintText(const KeyReport& report, std::ostream& out) {
  out << report.name << ": " << (report.usable() ? "usable" : "UNUSABLE") << "\n";
  if (!report.lookup_error.empty()) out << "  " << report.lookup_error << "\n";
  for (const KeyFinding& f : report.findings) {
    out << "  record: " << (f.type.empty() ? "not a DKIM key" : f.type)
        << (f.bits ? " " + std::to_string(f.bits) + " bits" : "") << (f.usable ? "" : " (unusable)") << "\n";
    for (const std::string& p : f.problems) out << "    problem: " << p << "\n";
    for (const std::string& a : f.advice) out << "    advice: " << a << "\n";
  }
  if (report.findings.size() > 1) {
    out << "  advice: several TXT records at one key name; verifiers differ in which they use\n";
  }
}

}  // namespace

bool KeyReport::usable() const {
  return std::any_of(findings.begin(), findings.end(), [](const KeyFinding& f) { return f.usable; });
}

KeyFinding LintKeyRecord(const std::string& record) {
  KeyFinding finding;
  finding.record = record;
  if (auto tags = verifier::TagList::Parse(finding.record)) LintTags(*tags, finding);
  const verifier::KeyOptions any_size{.min_rsa_bits = 0, .max_rsa_bits = UINT32_MAX};
  auto key = verifier::ParseKeyRecord(finding.record, any_size);
  if (!key) {
    finding.problems.push_back(key.error().detail);
    return finding;
  }
  LintKey(*key, finding);
  finding.usable = finding.problems.empty();
  return finding;
}

KeyReport CheckKey(const std::string& selector, const std::string& domain, dns::Resolver& resolver) {
  KeyReport report;
  report.name = selector + "._domainkey." + domain;
  dns::AnswerFuture lookup = resolver.Lookup(dns::Question{report.name, dns::RecordType::kTxt});
  const dns::Result<dns::Answer>& answer = lookup.get();
  if (!answer) {
    report.lookup_error = "lookup failed: " + answer.error().detail;
  } else if (answer->rcode == dns::Rcode::kNxDomain) {
    report.lookup_error = "no such name (NXDOMAIN)";
  } else if (answer->rcode != dns::Rcode::kNoError) {
    report.lookup_error = answer->rcode == dns::Rcode::kServFail ? "lookup failed: SERVFAIL" : "lookup refused";
  } else if (answer->records.empty()) {
    report.lookup_error = "no TXT record at this name";
  } else {
    for (const dns::Record& record : answer->records) {
      std::string joined;
      for (const std::string& s : record.strings) joined += s;
      report.findings.push_back(LintKeyRecord(joined));
    }
  }
  return report;
}

bool RunKeycheck(const KeycheckOptions& options, dns::Resolver& resolver, std::ostream& out) {
  KeyReport report = CheckKey(options.selector, options.domain, resolver);
  if (options.format == "json") {
    // DNS data is not UTF-8 (a TXT record may hold any octet): U+FFFD, not a throw.
    out << ToJson(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    PrintText(report, out);
  }
  return report.usable();
}

}  // namespace kenin::tools
