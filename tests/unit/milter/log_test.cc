#include "milter/log.h"

#include <gtest/gtest.h>

namespace kenin::milter {
namespace {

TEST(Log, MessageLineHasQueueClientResultsActionAndTime) {
  Outcome outcome;
  outcome.action = "accept";
  policy::SessionReport report;
  verifier::DkimVerdict pass;
  pass.result = verifier::DkimResult::kPass;
  pass.ids.domain = "example.org";
  verifier::DkimVerdict fail;
  fail.result = verifier::DkimResult::kFail;
  fail.ids.domain = "example.com";
  report.dkim = {pass, fail};
  report.spf = policy::SpfVerdict{};
  report.spf->result = policy::SpfResult::kSoftFail;
  report.dmarc = policy::DmarcVerdict{};
  report.dmarc->result = policy::DmarcResult::kPass;
  report.dmarc->from_domain = "example.org";
  report.score = -1.5;
  outcome.report = report;
  EXPECT_EQ(FormatMessageLine({"4F3A2B", "192.0.2.1", &outcome, 3, 120}),
            "queue=4F3A2B client=192.0.2.1 dkim=pass:example.org,fail:example.com spf=softfail "
            "dmarc=pass:example.org score=-1.5 action=accept eom_ms=3 total_ms=120");
}

TEST(Log, SkippedAndFailedMessages) {
  Outcome skipped{Decision::kAccept, "skip", std::nullopt, ""};
  EXPECT_EQ(FormatMessageLine({"-", "", &skipped, 0, 1}),
            "queue=- client=- action=skip eom_ms=0 total_ms=1");
  Outcome failed{Decision::kTempFail, "tempfail", std::nullopt, "eom: out of memory"};
  EXPECT_EQ(FormatMessageLine({"Q", "::1", &failed, 0, 1}),
            "queue=Q client=::1 action=tempfail error=eom:_out_of_memory eom_ms=0 total_ms=1");
}

TEST(Log, ArcChainAndOverrideAreShownWhenPresent) {
  Outcome outcome{Decision::kAccept, "accept", policy::SessionReport{}, ""};
  policy::SessionReport& report = *outcome.report;
  report.arc = arc::ArcVerdict{};  // no chain: nothing on the line
  EXPECT_EQ(FormatMessageLine({"Q", "192.0.2.1", &outcome, 0, 0}).find("arc"), std::string::npos);
  report.arc->result = arc::ArcResult::kPass;
  arc::ArcSetInfo set;
  set.instance = 1;
  set.seal_domain = "lists.example";
  report.arc->sets.push_back(set);
  report.dmarc = policy::DmarcVerdict{};
  report.dmarc->result = policy::DmarcResult::kFail;
  report.dmarc->from_domain = "sender.example";
  report.dmarc_arc_override = "lists.example";
  EXPECT_EQ(FormatMessageLine({"Q", "192.0.2.1", &outcome, 0, 0}),
            "queue=Q client=192.0.2.1 dkim=none dmarc=fail:sender.example arc=pass:lists.example "
            "arc_override=lists.example score=0.0 action=accept eom_ms=0 total_ms=0");
}

TEST(Log, TextFromTheMessageCannotSplitTheLine) {
  Outcome outcome{Decision::kAccept, "accept", policy::SessionReport{}, ""};
  outcome.report->dmarc = policy::DmarcVerdict{};
  outcome.report->dmarc->from_domain = "evil example\r\nqueue=forged";
  std::string line = FormatMessageLine({"Q", "192.0.2.1", &outcome, 0, 0});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("dmarc=none:evil_examplequeue=forged"), std::string::npos) << line;
}

}  // namespace
}  // namespace kenin::milter
