// ARC in the message session (policy/arc_session.h, policy/arc_override.h): chains sealed in
// the test (tests/unit/arc/arc_test_sealer.h) with keys generated here, served from a zone in
// memory with DMARC p=reject for the From domain. The message has no DKIM signature, as after
// a mailing list broke it: DMARC fails, and only a trusted sealer's passing chain keeps it.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dns/zone_resolver.h"
#include "policy/arc_override.h"
#include "policy/auth_results.h"
#include "policy/message_session.h"
#include "tests/unit/arc/arc_test_sealer.h"
#include "tests/unit/dns/test_zone.h"
#include "tests/unit/verifier/test_keys.h"

namespace kenin::policy {
namespace {

using arc::testing::SealedMessage;
using arc::testing::SealOptions;
using testkeys::KeyRecordText;
using testkeys::RsaKey;
using testkeys::ZoneTxtLine;

constexpr int64_t kNow = 1700000300;  // just after the sealer's t=1700000000

dns::ZoneResolver& Zone() {
  static const std::unique_ptr<dns::ZoneResolver> zone = [] {
    std::string text;
    text += ZoneTxtLine("arc._domainkey.forwarder.example.", KeyRecordText(RsaKey(2048)));
    text += "_dmarc.sender.example. 3600 IN TXT \"v=DMARC1; p=reject\"\n";
    return testzone::ZoneFromText(text, "arc-session.zone");
  }();
  return *zone;
}

SealedMessage ForwardedMessage() {
  SealedMessage message;
  SealOptions seal;
  seal.key = RsaKey(2048);
  message.Seal(seal);
  return message;
}

SessionOptions Options(std::vector<std::string> trusted = {}) {
  SessionOptions options;
  options.authserv_id = "mx.example.net";
  options.enforcement = EnforcementMode::kOn;
  options.arc.trusted_sealers = std::move(trusted);
  return options;
}

SessionReport RunSession(const SealedMessage& message, const SessionOptions& options,
                  dns::Resolver& resolver = Zone(),
                  std::optional<verifier::Deadline> deadline = std::nullopt) {
  MessageSession session(options, resolver, Envelope{"192.0.2.7", "mail.forwarder.example", ""});
  for (const verifier::HeaderField& field : message.header()) {
    session.OnHeader(field.name, field.value);
  }
  session.OnEndOfHeaders(kNow);
  const std::string& body = message.body();
  for (size_t i = 0; i < body.size(); i += 5) session.OnBodyChunk(std::string_view(body).substr(i, 5));
  return session.OnEndOfMessage(deadline);
}

std::string ArcItem(const SessionReport& report) {
  for (const std::string& item : report.resinfo) {
    if (item.starts_with("arc=")) return item;
  }
  return "";
}

TEST(SessionArc, TrustedSealerOverridesDmarcFail) {
  const SessionReport report = RunSession(ForwardedMessage(), Options({"Forwarder.Example."}));
  ASSERT_TRUE(report.arc);
  EXPECT_EQ(report.arc->result, arc::ArcResult::kPass) << report.arc->reason;
  ASSERT_TRUE(report.dmarc);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kFail);
  EXPECT_EQ(report.dmarc->disposition, Disposition::kNone);
  EXPECT_EQ(report.dmarc_arc_override, "forwarder.example");
  EXPECT_EQ(report.action, Action::kAccept);
  // The failure weighs as dmarc=none (0) instead of dmarc=fail (3.0).
  const SessionReport untrusted = RunSession(ForwardedMessage(), Options({}));
  EXPECT_DOUBLE_EQ(report.score, untrusted.score - 3.0);
  EXPECT_NE(report.authentication_results.find(
                "(p=reject dis=none) header.from=sender.example "
                "policy.arc-override=forwarder.example; arc=pass header.oldest-pass=0 "
                "smtp.remote-ip=192.0.2.7"),
            std::string::npos)
      << report.authentication_results;
}

TEST(SessionArc, UntrustedSealerLeavesTheRejection) {
  const SessionReport report = RunSession(ForwardedMessage(), Options({"other.example"}));
  ASSERT_TRUE(report.arc);
  EXPECT_EQ(report.arc->result, arc::ArcResult::kPass);
  EXPECT_EQ(report.dmarc->disposition, Disposition::kReject);
  EXPECT_TRUE(report.dmarc_arc_override.empty());
  EXPECT_EQ(report.action, Action::kReject);
  EXPECT_EQ(report.authentication_results.find("arc-override"), std::string::npos);
}

TEST(SessionArc, ABrokenChainOfATrustedSealerDoesNotOverride) {
  SealedMessage message = ForwardedMessage();
  message.set_body(message.body() + "appended after the seal\r\n");
  const SessionReport report = RunSession(message, Options({"forwarder.example"}));
  EXPECT_EQ(report.arc->result, arc::ArcResult::kFail);
  EXPECT_EQ(ArcItem(report),
            "arc=fail reason=\"ARC-Message-Signature i=1: body hash did not verify\" "
            "smtp.remote-ip=192.0.2.7");
  EXPECT_EQ(report.action, Action::kReject);
}

TEST(SessionArc, NoChainIsNone) {
  SealedMessage plain;
  const SessionReport report = RunSession(plain, Options({"forwarder.example"}));
  EXPECT_EQ(report.arc->result, arc::ArcResult::kNone);
  // Left out of the header (nothing to say), kept in the report.
  EXPECT_EQ(ArcItem(report), "");
  EXPECT_EQ(report.arc->reason, "no ARC header fields");
  EXPECT_EQ(report.action, Action::kReject);
}

TEST(SessionArc, DisabledMeansNoVerdictAndNoResinfo) {
  SessionOptions options = Options({"forwarder.example"});
  options.arc.enabled = false;
  const SessionReport report = RunSession(ForwardedMessage(), options);
  EXPECT_FALSE(report.arc);
  EXPECT_EQ(ArcItem(report), "");
  EXPECT_EQ(report.action, Action::kReject);
}

// The key never answers: the end-of-message deadline ends the wait and the chain fails
// (RFC 8617 §5.2.1, DNS failures are final), while DMARC still decides from the zone.
class KeylessResolver : public dns::Resolver {
 public:
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    if (question.name.find("_domainkey") == std::string::npos) return Zone().Lookup(question);
    std::lock_guard lock(mutex_);
    return promises_.emplace_back().get_future().share();
  }
  ~KeylessResolver() override {
    for (auto& promise : promises_) {
      promise.set_value(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "released"}));
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::promise<dns::Result<dns::Answer>>> promises_;
};

TEST(SessionArc, UnansweredKeysEndAtTheDeadline) {
  KeylessResolver resolver;
  const auto start = std::chrono::steady_clock::now();
  const SessionReport report = RunSession(ForwardedMessage(), Options({"forwarder.example"}), resolver,
                                   start + std::chrono::milliseconds(100));
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_EQ(report.arc->result, arc::ArcResult::kFail);
  EXPECT_NE(report.arc->reason.find("time budget exhausted"), std::string::npos)
      << report.arc->reason;
  EXPECT_EQ(report.action, Action::kReject);
}

TEST(SessionArc, HeaderOverTheBoundFailsTheChainOnlyWhenThereIsOne) {
  SessionOptions options = Options({"forwarder.example"});
  options.dkim.max_header_bytes = 600;
  SealedMessage sealed = ForwardedMessage();  // its ARC Set alone is over 600 bytes
  const SessionReport report = RunSession(sealed, options);
  EXPECT_EQ(report.arc->result, arc::ArcResult::kFail);
  EXPECT_EQ(report.arc->reason, "header block over 600 bytes");
  EXPECT_TRUE(report.dmarc_arc_override.empty());

  SealedMessage plain;
  plain.AddHeaderOnTop("X-Padding", " " + std::string(700, 'x'));
  EXPECT_EQ(RunSession(plain, options).arc->result, arc::ArcResult::kNone);
}

arc::ArcSetInfo SealedBy(int instance, std::string domain,
                        std::string auth_results = "mx.lists.example; dmarc=pass "
                                                   "header.from=sender.example") {
  arc::ArcSetInfo set;
  set.instance = instance;
  set.seal_domain = std::move(domain);
  set.auth_results = std::move(auth_results);
  return set;
}

DmarcVerdict FailedDmarc() {
  DmarcVerdict dmarc;
  dmarc.result = DmarcResult::kFail;
  dmarc.from_domain = "sender.example";
  dmarc.org_domain = "sender.example";
  return dmarc;
}

// The decision alone.
TEST(ArcOverride, NeedsDmarcFailArcPassAndAListedSealer) {
  DmarcVerdict dmarc = FailedDmarc();
  arc::ArcVerdict chain;
  chain.result = arc::ArcResult::kPass;
  chain.sets.push_back(SealedBy(1, "first.example"));
  chain.sets.push_back(SealedBy(2, "lists.example"));
  const std::vector<std::string> trusted = {"LISTS.example"};
  EXPECT_EQ(ArcOverrideSealer(dmarc, chain, trusted), "lists.example");
  // Only the newest sealer counts: trusting an earlier hop is not enough.
  EXPECT_EQ(ArcOverrideSealer(dmarc, chain, std::vector<std::string>{"first.example"}),
            std::nullopt);
  // Exact names: a parent or child domain is another sealer.
  EXPECT_EQ(ArcOverrideSealer(dmarc, chain, std::vector<std::string>{"example"}), std::nullopt);
  chain.result = arc::ArcResult::kFail;
  EXPECT_EQ(ArcOverrideSealer(dmarc, chain, trusted), std::nullopt);
  chain.result = arc::ArcResult::kPass;
  for (DmarcResult other : {DmarcResult::kPass, DmarcResult::kNone, DmarcResult::kTempError,
                            DmarcResult::kPermError}) {
    dmarc.result = other;
    EXPECT_EQ(ArcOverrideSealer(dmarc, chain, trusted), std::nullopt);
  }
}

// RFC 8617 §7.2.1: the trusted sealer's own record of what it saw decides.
TEST(ArcOverride, TheTrustedSealersRecordMustVouchForTheAuthor) {
  const std::vector<std::string> trusted = {"lists.example"};
  auto with_record = [&](std::string auth_results) {
    arc::ArcVerdict chain;
    chain.result = arc::ArcResult::kPass;
    chain.sets.push_back(SealedBy(1, "lists.example", std::move(auth_results)));
    return ArcOverrideSealer(FailedDmarc(), chain, trusted);
  };
  EXPECT_EQ(with_record("mx.lists.example; dmarc=pass header.from=Sender.Example."),
            "lists.example");
  EXPECT_EQ(with_record("mx.lists.example; dmarc=fail header.from=sender.example"), std::nullopt);
  EXPECT_EQ(with_record("mx.lists.example; dmarc=pass header.from=other.example"), std::nullopt);
  EXPECT_EQ(with_record("mx.lists.example; none"), std::nullopt);
  EXPECT_EQ(with_record("not an authres-payload ((("), std::nullopt);
  EXPECT_EQ(with_record(""), std::nullopt);
  // Aligned DKIM or SPF passes stand for a DMARC pass the sealer did not write down.
  EXPECT_EQ(with_record("mx.lists.example; dkim=pass header.d=mail.sender.example"),
            "lists.example");
  EXPECT_EQ(with_record("mx.lists.example; dkim=pass header.i=@sender.example"), "lists.example");
  EXPECT_EQ(with_record("mx.lists.example; dkim=pass header.d=sender.example.evil"),
            std::nullopt);
  EXPECT_EQ(with_record("mx.lists.example; dkim=fail header.d=sender.example"), std::nullopt);
  EXPECT_EQ(with_record("mx.lists.example; spf=pass smtp.mailfrom=bounce@sender.example"),
            "lists.example");
  EXPECT_EQ(with_record("mx.lists.example; spf=softfail smtp.mailfrom=sender.example"),
            std::nullopt);
  EXPECT_EQ(with_record("mx.lists.example; spf=pass smtp.mailfrom=notsender.example"),
            std::nullopt);
}

TEST(ArcOverride, StrictAlignmentInTheRecordIsHonoured) {
  DmarcVerdict dmarc = FailedDmarc();
  dmarc.record.emplace();
  dmarc.record->adkim = Alignment::kStrict;
  EXPECT_FALSE(SealerVouchesForAuthor("mx; dkim=pass header.d=mail.sender.example", dmarc));
  EXPECT_TRUE(SealerVouchesForAuthor("mx; dkim=pass header.d=sender.example", dmarc));
  EXPECT_TRUE(SealerVouchesForAuthor("mx; spf=pass smtp.mailfrom=a@mail.sender.example", dmarc));
  // Without an Organizational Domain only the same name aligns.
  dmarc.record.reset();
  dmarc.org_domain.clear();
  EXPECT_FALSE(SealerVouchesForAuthor("mx; dkim=pass header.d=mail.sender.example", dmarc));
}

TEST(SessionArc, ATrustedSealerThatSawNoPassDoesNotOverride) {
  SealedMessage message;
  SealOptions seal;
  seal.key = RsaKey(2048);
  seal.auth_results = "mx.forwarder.example; dkim=none; spf=fail smtp.mailfrom=sender.example; "
                      "dmarc=fail header.from=sender.example";
  message.Seal(seal);
  const SessionReport report = RunSession(message, Options({"forwarder.example"}));
  EXPECT_EQ(report.arc->result, arc::ArcResult::kPass) << report.arc->reason;
  EXPECT_TRUE(report.dmarc_arc_override.empty());
  EXPECT_EQ(report.dmarc->disposition, Disposition::kReject);
  EXPECT_EQ(report.action, Action::kReject);
}

TEST(ArcOverride, ApplyingKeepsTheResultAndClearsTheDisposition) {
  DmarcVerdict dmarc;
  dmarc.result = DmarcResult::kFail;
  dmarc.policy = Disposition::kReject;
  dmarc.disposition = Disposition::kReject;
  ApplyArcOverride(dmarc);
  EXPECT_EQ(dmarc.result, DmarcResult::kFail);
  EXPECT_EQ(dmarc.disposition, Disposition::kNone);
  EXPECT_EQ(EnforcementAction(dmarc, EnforcementMode::kOn), Action::kAccept);
}

TEST(ArcResinfoTest, Renders) {
  arc::ArcVerdict chain;
  chain.result = arc::ArcResult::kPass;
  chain.oldest_pass = 2;
  EXPECT_EQ(ArcResinfo(chain, "192.0.2.1"), "arc=pass header.oldest-pass=2 smtp.remote-ip=192.0.2.1");
  chain.oldest_pass.reset();
  EXPECT_EQ(ArcResinfo(chain, "2001:db8::1"), "arc=pass smtp.remote-ip=\"2001:db8::1\"");
  chain.result = arc::ArcResult::kFail;
  chain.reason = "ARC-Seal i=1: key \"x\" revoked";
  EXPECT_EQ(ArcResinfo(chain, ""), "arc=fail reason=\"ARC-Seal i=1: key 'x' revoked\"");
  arc::ArcVerdict none;
  none.reason = "no ARC header fields";
  EXPECT_EQ(ArcResinfo(none, "192.0.2.1"),
            "arc=none reason=\"no ARC header fields\" smtp.remote-ip=192.0.2.1");
  std::string dmarc_item = "dmarc=fail (p=reject dis=none) header.from=sender.example";
  AddArcOverride(dmarc_item, "lists.example");
  EXPECT_EQ(dmarc_item,
            "dmarc=fail (p=reject dis=none) header.from=sender.example "
            "policy.arc-override=lists.example");
}

}  // namespace
}  // namespace kenin::policy
