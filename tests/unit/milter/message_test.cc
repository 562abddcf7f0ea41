#include "milter/message.h"

#include <gtest/gtest.h>

#include "milter/runtime.h"
#include "milter_test_support.h"

namespace kenin::milter {
namespace {

using testing::FakeMta;
using testing::MilterMessage;
using testing::SplitMessage;
using testing::TempDir;

// The sample keys plus DMARC records: example.org p=none; reject.test and quarantine.test
// with the policies their names say.
std::string TestZone() {
  return testing::ReadFile(KENIN_TEST_DATA_DIR "/zones/sample.zone") +
         "example.org. 3600 IN SOA ns.example.org. h.example.org. 1 3600 600 86400 300\n"
         "_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=none\"\n"
         "reject.test. 3600 IN SOA ns.reject.test. h.reject.test. 1 3600 600 86400 300\n"
         "_dmarc.reject.test. 3600 IN TXT \"v=DMARC1; p=reject\"\n"
         "quarantine.test. 3600 IN SOA ns.quarantine.test. h.quarantine.test. 1 3600 600 86400 "
         "300\n"
         "_dmarc.quarantine.test. 3600 IN TXT \"v=DMARC1; p=quarantine\"\n";
}

MilterMessage Sample(const std::string& name) {
  return SplitMessage(testing::ReadFile(KENIN_TEST_DATA_DIR "/messages/" + name));
}

MilterMessage Unsigned(const std::string& from) {
  return SplitMessage("From: " + from + "\nTo: bob@example.net\nSubject: hi\n\nHello.\n");
}

class MessageTest : public ::testing::Test {
 protected:
  void SetUp() override { config_.dns.zone = {dir_.Write("test.zone", TestZone())}; }

  std::shared_ptr<const Runtime> MakeRuntime() {
    config_.authserv_id = "mx.test";
    auto runtime = BuildRuntime(std::make_shared<const Config>(config_), nullptr);
    EXPECT_TRUE(runtime) << runtime.error();
    return *runtime;
  }

  // Feeds `message` (values with the space after ':' unless `leading_space` is false, as an
  // MTA without SMFIP_HDR_LEADSPC sends them), the body in `chunk`-octet pieces.
  Outcome Run(const MilterMessage& message, bool leading_space = true, size_t chunk = 4096,
              bool skip = false, bool fail = false) {
    Message m(MakeRuntime(), policy::Envelope{}, leading_space, skip);
    for (const auto& [name, value] : message.fields) {
      m.OnHeader(name, leading_space ? value : value.substr(value.starts_with(' ') ? 1 : 0));
    }
    m.OnEndOfHeaders();
    for (size_t i = 0; i < message.body.size(); i += chunk)
      m.OnBodyChunk(message.body.substr(i, chunk));
    if (fail) m.MarkFailed("header: test");
    return m.Finish(mta_);
  }

  TempDir dir_;
  Config config_;
  FakeMta mta_;
};

TEST_F(MessageTest, PassingMessageGetsScoreThenAuthResultsOnTop) {
  config_.score.enabled = true;
  Outcome outcome = Run(Sample("01-rsa-pass.eml"));
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  EXPECT_EQ(outcome.action, "accept");
  ASSERT_EQ(mta_.calls.size(), 2u);
  EXPECT_EQ(mta_.calls[0], "insert 0 X-Kenin-Score: -2.5");  // dkim=pass -1, dmarc=pass -1.5
  EXPECT_EQ(mta_.calls[1].rfind(
                "insert 0 Authentication-Results: mx.test;\n\tdkim=pass header.d=example.org", 0),
            0u)
      << mta_.calls[1];
  EXPECT_NE(mta_.calls[1].find(";\n\tdmarc=pass (p=none dis=none) header.from=example.org"),
            std::string::npos);
}

TEST_F(MessageTest, FoldsArriveAsLfAndHashAsCrlf) {
  // 01-rsa-pass.eml has a folded Subject and DKIM-Signature; SplitMessage gives "\n" folds.
  ASSERT_NE(Sample("01-rsa-pass.eml").fields[0].second.find("\n\t"), std::string::npos);
  EXPECT_EQ(Run(Sample("01-rsa-pass.eml")).report->dkim.at(0).result, verifier::DkimResult::kPass);
}

TEST_F(MessageTest, OneOctetBodyChunksVerifyLikeOneChunk) {
  EXPECT_EQ(Run(Sample("01-rsa-pass.eml"), true, 1).report->dkim.at(0).result,
            verifier::DkimResult::kPass);
}

TEST_F(MessageTest, WithoutLeadingSpaceNegotiatedOneSpaceIsPutBack) {
  // 02 is signed c=simple/simple: it passes only if "Name: value" is hashed as on the wire.
  Outcome outcome = Run(Sample("02-ed25519-simple-pass.eml"), false);
  EXPECT_EQ(outcome.report->dkim.at(0).result, verifier::DkimResult::kPass)
      << outcome.report->dkim.at(0).reason;
  EXPECT_EQ(mta_.calls.back().rfind("insert 0 Authentication-Results:mx.test;", 0), 0u)
      << mta_.calls.back();
}

TEST_F(MessageTest, ExtraSpaceBreaksSimpleHeaderCanonicalization) {
  MilterMessage message = Sample("02-ed25519-simple-pass.eml");
  for (auto& [name, value] : message.fields) value = " " + value;
  EXPECT_EQ(Run(message).report->dkim.at(0).result, verifier::DkimResult::kFail);
}

TEST_F(MessageTest, ForgedAuthResultsAreDeletedLastFirstForeignOnesKept) {
  MilterMessage message = Sample("01-rsa-pass.eml");
  auto at = message.fields.begin();
  message.fields.insert(at, {{"Authentication-Results", " mx.test; dkim=pass"},
                             {"Authentication-Results", " other.test; dkim=pass header.d=mx.test"},
                             {"authentication-results", " (c) MX.TEST;\n\tspf=pass"},
                             {"Authentication-Results", " mx.test.evil; none"}});
  Run(message);
  ASSERT_EQ(mta_.calls.size(), 3u);
  EXPECT_EQ(mta_.calls[0], "delete Authentication-Results 3");
  EXPECT_EQ(mta_.calls[1], "delete Authentication-Results 1");
  EXPECT_EQ(mta_.calls[2].rfind("insert 0 Authentication-Results: mx.test;", 0), 0u);
}

TEST_F(MessageTest, IncomingScoreHeadersAreDeleted) {
  config_.score.enabled = true;
  MilterMessage message = Unsigned("alice@example.org");
  message.fields.insert(message.fields.begin(), {"X-Kenin-Score", " -100"});
  message.fields.push_back({"x-kenin-score", " -50"});
  Run(message);
  ASSERT_EQ(mta_.calls.size(), 4u);
  EXPECT_EQ(mta_.calls[0], "delete X-Kenin-Score 2");
  EXPECT_EQ(mta_.calls[1], "delete X-Kenin-Score 1");
}

TEST_F(MessageTest, ScoreOffByDefaultTouchesNoScoreHeader) {
  MilterMessage message = Unsigned("alice@example.org");
  message.fields.push_back({"X-Kenin-Score", " -50"});
  Run(message);
  ASSERT_EQ(mta_.calls.size(), 1u);
  EXPECT_EQ(mta_.calls[0].rfind("insert 0 Authentication-Results:", 0), 0u);
}

TEST_F(MessageTest, UnsignedMessageIsDkimNone) {
  Run(Unsigned("alice@example.org"));
  EXPECT_NE(mta_.calls.back().find(";\n\tdkim=none;\n\t"), std::string::npos) << mta_.calls.back();
}

TEST_F(MessageTest, InternalClientIsSkipped) {
  Outcome outcome = Run(Sample("01-rsa-pass.eml"), true, 4096, /*skip=*/true);
  EXPECT_EQ(outcome.action, "skip");
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  EXPECT_FALSE(outcome.report);
  EXPECT_TRUE(mta_.calls.empty());
}

TEST_F(MessageTest, InternalErrorWithAcceptAddsTemperrorAndStillDeletesForgeries) {
  MilterMessage message = Unsigned("alice@example.org");
  message.fields.push_back({"Authentication-Results", " mx.test; dkim=pass"});
  Outcome outcome = Run(message, true, 4096, false, /*fail=*/true);
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  EXPECT_EQ(outcome.error, "header: test");
  ASSERT_EQ(mta_.calls.size(), 2u);
  EXPECT_EQ(mta_.calls[0], "delete Authentication-Results 1");
  EXPECT_EQ(
      mta_.calls[1],
      "insert 0 Authentication-Results: mx.test;\n\tdkim=temperror reason=\"internal error\";\n\t"
      "dmarc=temperror reason=\"internal error\"");
}

TEST_F(MessageTest, InternalErrorWithTempfailAsksTheMtaToRetry) {
  config_.failure_action = FailureAction::kTempFail;
  Outcome outcome = Run(Unsigned("alice@example.org"), true, 4096, false, /*fail=*/true);
  EXPECT_EQ(outcome.decision, Decision::kTempFail);
  EXPECT_EQ(outcome.action, "tempfail");
  ASSERT_EQ(mta_.calls.size(), 1u);
  EXPECT_EQ(mta_.calls[0].rfind("reply 451 4.3.0 ", 0), 0u);
}

TEST_F(MessageTest, EnforcementRejectsDmarcRejectFailures) {
  config_.dmarc.enforcement = policy::EnforcementMode::kOn;
  Outcome outcome = Run(Unsigned("mallory@reject.test"));
  EXPECT_EQ(outcome.decision, Decision::kReject);
  EXPECT_EQ(outcome.action, "reject");
  ASSERT_EQ(mta_.calls.size(), 1u);
  EXPECT_EQ(mta_.calls[0], "reply 550 5.7.1 Rejected by the DMARC policy of reject.test");
}

TEST_F(MessageTest, EnforcementQuarantinesWithHeaders) {
  config_.dmarc.enforcement = policy::EnforcementMode::kOn;
  Outcome outcome = Run(Unsigned("mallory@quarantine.test"));
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  EXPECT_EQ(outcome.action, "quarantine");
  ASSERT_EQ(mta_.calls.size(), 2u);  // Authentication-Results, then the quarantine
  EXPECT_EQ(mta_.calls[1], "quarantine DMARC policy of quarantine.test: quarantine");
}

TEST_F(MessageTest, EnforcementOffOnlyReports) {
  Outcome outcome = Run(Unsigned("mallory@reject.test"));
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  EXPECT_NE(mta_.calls.back().find("dmarc=fail"), std::string::npos);
}

// [limits] max_header_bytes: an attacker who pads the header past the bound must not slip a
// forged Authentication-Results through behind it (RFC 8601 §5).
TEST_F(MessageTest, HeaderOverTheBoundIsPermerrorAndForgeriesAfterItAreStillDeleted) {
  config_.limits.max_header_bytes = 16384;
  MilterMessage message = Sample("01-rsa-pass.eml");
  message.fields.push_back({"X-Filler", " " + std::string(20000, 'x')});
  message.fields.push_back({"Authentication-Results", " mx.test; dkim=pass"});
  Outcome outcome = Run(message);
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  ASSERT_TRUE(outcome.report);
  ASSERT_EQ(outcome.report->dkim.size(), 1u);
  EXPECT_EQ(outcome.report->dkim[0].result, verifier::DkimResult::kPermError);
  EXPECT_EQ(outcome.report->dkim[0].reason, "header block over 16384 bytes");
  ASSERT_TRUE(outcome.report->dmarc);  // still decided: no aligned pass here, so fail
  EXPECT_EQ(outcome.report->dmarc->result, policy::DmarcResult::kFail);
  ASSERT_EQ(mta_.calls.size(), 2u);
  EXPECT_EQ(mta_.calls[0], "delete Authentication-Results 1");
  EXPECT_NE(mta_.calls[1].find("reason=\"header block over 16384 bytes\""), std::string::npos)
      << mta_.calls[1];
}

TEST_F(MessageTest, MessageWithoutHeaderFieldsStillGetsAHeader) {
  Message m(MakeRuntime(), policy::Envelope{}, true, false);
  Outcome outcome = m.Finish(mta_);
  EXPECT_EQ(outcome.decision, Decision::kAccept);
  ASSERT_FALSE(mta_.calls.empty());
  EXPECT_NE(mta_.calls.back().find("dkim=none"), std::string::npos);
}

}  // namespace
}  // namespace kenin::milter
