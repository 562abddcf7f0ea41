// Runs kenin's ARC verifier over the ValiMail ARC validation suite
// (../shared/conformance/arc/arc-draft-validation-tests.yml, read in place) and stalwart's
// two ARC messages. Each scenario's txt-records become its zone; each test's message (LF
// read as CRLF) streams through ArcVerifier and the chain result is compared with `cv`
// (case-insensitive; an empty cv means fail, see the suite's README). Cases we answer
// differently on purpose are listed here and, with the RFC reasoning, in docs/arc.md; any
// other difference fails, and so does a listed case that stops differing.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <map>
#include <set>
#include <string>

#include "arc/arc_verifier.h"
#include "dns/zone_resolver.h"
#include "tests/conformance/conformance_data.h"
#include "tools/keys.h"
#include "tools/message_parser.h"

namespace kenin::testing {
namespace {

// 2026-01-01T00:00:00Z. The suite's signatures carry t=12345 and no x=.
constexpr int64_t kNow = 1767225600;

// docs/arc.md, "Conformance exceptions".
const std::set<std::string> kKnownDifferences = {
    // An AMS h= without From (RFC 6376 §5.4, §6.1.1 via RFC 8617 §4.1.2).
    "ams_fields_h_empty",
    // An AMS h= with an empty header name (RFC 6376 §3.5 ABNF: hdr-name is 1*ftext).
    "ams_fields_h_mis_hdr",
    // An AMS without c= means simple/simple (RFC 6376 §3.5), but it was signed relaxed.
    "ams_fields_c_na",
};

arc::ArcVerdict VerifyMessage(const std::string& message, dns::Resolver& resolver,
                              size_t chunk = 0) {
  arc::ArcVerifier verifier(arc::ArcOptions{}, resolver);
  tools::MessageParser parser({
      .on_header = [&](std::string_view name,
                       std::string_view value) { verifier.OnHeader(name, value); },
      .on_end_of_headers = [&] { verifier.OnEndOfHeaders(kNow); },
      .on_body = [&](std::string_view body) { verifier.OnBodyChunk(body); },
  });
  if (chunk == 0) chunk = message.size() + 1;
  for (size_t pos = 0; pos < message.size(); pos += chunk) parser.Feed(message.substr(pos, chunk));
  parser.Finish();
  return verifier.OnEndOfMessage();
}

// txt-records: name -> value; YAML folds long values into lines that join with no separator.
dns::ZoneResolver ScenarioZone(const YAML::Node& records) {
  std::string text;
  for (const auto& record : records) {
    const std::string name = record.first.as<std::string>();
    std::string value = record.second.as<std::string>();
    std::erase(value, '\n');
    const std::string suffix = "._domainkey.";
    const size_t at = name.find(suffix);
    EXPECT_NE(at, std::string::npos) << name;
    if (at == std::string::npos) continue;
    text += tools::ZoneLine(name.substr(0, at), name.substr(at + suffix.size()), value) + "\n";
  }
  auto zone = dns::ZoneResolver::FromText(text, "txt-records");
  EXPECT_TRUE(zone.has_value()) << (zone ? "" : zone.error().detail);
  return zone ? std::move(*zone) : dns::ZoneResolver();
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct Score {
  int tests = 0;
  int passed = 0;
  std::set<std::string> differences;
  std::map<std::string, arc::ArcVerdict> verdicts;  // by test name, the last definition's
};

void RunCase(const std::string& name, const YAML::Node& test, dns::Resolver& zone, Score* score) {
  std::string want = Lower(test["cv"].as<std::string>(""));
  while (!want.empty() && std::isspace(static_cast<unsigned char>(want.back()))) want.pop_back();
  if (want.empty()) want = "fail";  // cv=fail chains: RFC 8617 §5.2 step 2 (suite README)
  std::string message = test["message"].as<std::string>("");
  std::string crlf;
  for (char c : message) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  arc::ArcVerdict verdict = VerifyMessage(crlf, zone);
  // The same message in 7-octet chunks must give the same verdict (the streaming contract).
  arc::ArcVerdict chunked = VerifyMessage(crlf, zone, 7);
  EXPECT_EQ(chunked.result, verdict.result) << name;
  EXPECT_EQ(chunked.reason, verdict.reason) << name;
  EXPECT_EQ(verdict.reason.empty(), verdict.result == arc::ArcResult::kPass) << name;
  ++score->tests;
  const std::string got(arc::ToToken(verdict.result));
  score->verdicts[name] = verdict;
  if (got == want) {
    ++score->passed;
    return;
  }
  score->differences.insert(name);
  std::cout << "  differs: " << name << " expected " << want << ", kenin " << got << " ("
            << verdict.reason << ")\n";
  if (!kKnownDifferences.contains(name)) {
    ADD_FAILURE() << name << " (" << test["description"].as<std::string>("") << "): want " << want
                  << ", got " << got << " (" << verdict.reason << ")";
  }
}

TEST(ArcConformance, ValiMailValidationSuiteMatchesExceptDocumentedCases) {
  const std::string path = ConformanceDir() + "/arc/arc-draft-validation-tests.yml";
  std::vector<YAML::Node> scenarios = YAML::LoadAllFromFile(path);
  ASSERT_EQ(scenarios.size(), 10u) << path;
  Score score;
  std::set<std::string> names;
  for (const YAML::Node& scenario : scenarios) {
    dns::ZoneResolver zone = ScenarioZone(scenario["txt-records"]);
    // Four names are defined twice in "Arc Seal Fields" (README): both copies run.
    for (const auto& test : scenario["tests"]) {
      names.insert(test.first.as<std::string>());
      RunCase(test.first.as<std::string>(), test.second, zone, &score);
    }
  }
  std::cout << "ARC validation suite: " << score.passed << "/" << score.tests << " match ("
            << names.size() << " distinct names)\n";
  EXPECT_EQ(score.tests, 175);
  EXPECT_EQ(names.size(), 171u);
  EXPECT_EQ(score.differences, kKnownDifferences) << "update docs/arc.md with any change";

  // header.oldest-pass (RFC 8617 §5.2 step 5) where the suite's messages determine it.
  EXPECT_EQ(score.verdicts["cv_pass_i1_1"].oldest_pass, 0);
  EXPECT_EQ(score.verdicts["cv_pass_i5_1"].oldest_pass, 0);
  EXPECT_EQ(score.verdicts["cv_pass_i5_1"].instances, 5);
  // From header changed after i=1 sealed, before i=2: AMS(1) fails, so oldest-pass is 2.
  EXPECT_EQ(score.verdicts["cv_pass_i2_1_ams1_invalid"].oldest_pass, 2);
  EXPECT_EQ(score.verdicts["ams_as_diff_s_d"].sealer(), "example2.org");
}

// Real IETF list mail with a Google ARC set, and a two-set chain whose first seal is Ed25519.
TEST(ArcConformance, StalwartMessagesPass) {
  const std::string dir = ConformanceDir() + "/stalwart/";
  int rows = 0;
  for (const Row& row : ReadTsv(dir + "expected.tsv")) {
    if (row.at("check") != "arc") continue;
    RecordsAndMessage data = ReadStalwartFile(dir + row.at("file"));
    auto zone = dns::ZoneResolver::FromText(data.zone_text, row.at("file"));
    ASSERT_TRUE(zone) << zone.error().detail;
    arc::ArcVerdict verdict = VerifyMessage(data.message, *zone);
    EXPECT_EQ(arc::ToToken(verdict.result), row.at("expected"))
        << row.at("file") << ": " << verdict.reason;
    ++rows;
  }
  EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace kenin::testing
