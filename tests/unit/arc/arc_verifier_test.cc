// End to end in one process: chains sealed by tests/unit/arc/arc_test_sealer.h with keys
// generated here, key records served from a zone in memory, the message streamed through
// ArcVerifier in random chunks. Each test builds one chain and checks the result and its
// reason (docs/arc.md lists the order of checks).
#include "arc/arc_verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>

#include "dns/zone_resolver.h"
#include "tests/unit/arc/arc_test_sealer.h"
#include "tests/unit/dns/test_zone.h"
#include "tests/unit/verifier/test_keys.h"

namespace kenin::arc {
namespace {

using testing::SealedMessage;
using testing::SealOptions;
using testkeys::Ed25519Key;
using testkeys::KeyRecordText;
using testkeys::RsaKey;
using testkeys::ZoneTxtLine;

constexpr int64_t kNow = 1700000300;  // just after the sealer's t=1700000000

dns::ZoneResolver& Zone() {
  static const std::unique_ptr<dns::ZoneResolver> zone = [] {
    std::string text;
    text += ZoneTxtLine("arc._domainkey.forwarder.example.", KeyRecordText(RsaKey(2048)));
    text += ZoneTxtLine("fast._domainkey.forwarder.example.", KeyRecordText(RsaKey(1024)));
    text += ZoneTxtLine("ed._domainkey.forwarder.example.", KeyRecordText(Ed25519Key()));
    text += ZoneTxtLine("arc._domainkey.list.example.", KeyRecordText(RsaKey(1024)));
    return testzone::ZoneFromText(text, "arc-test.zone");
  }();
  return *zone;
}

// Counts lookups on the way to another resolver; or answers every lookup with one result.
class TestResolver : public dns::Resolver {
 public:
  explicit TestResolver(dns::Resolver& next) : next_(&next) {}
  explicit TestResolver(dns::Result<dns::Answer> fixed) : fixed_(std::move(fixed)) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    ++lookups;
    return next_ ? next_->Lookup(question) : dns::ReadyAnswer(*fixed_);
  }
  std::atomic<int> lookups = 0;

 private:
  dns::Resolver* next_ = nullptr;
  std::optional<dns::Result<dns::Answer>> fixed_;
};

SealOptions Sealer(std::string domain = "forwarder.example", std::string selector = "arc") {
  SealOptions options;
  options.key = selector == "fast" || domain == "list.example" ? RsaKey(1024) : RsaKey(2048);
  options.domain = std::move(domain);
  options.selector = std::move(selector);
  return options;
}

// Header fields whole, the body in random chunks (CR and LF may be split).
ArcVerdict Verify(const SealedMessage& message, dns::Resolver& resolver,
                  const ArcOptions& options = {}, int64_t now = kNow) {
  ArcVerifier verifier(options, resolver);
  for (const verifier::HeaderField& field : message.header())
    verifier.OnHeader(field.name, field.value);
  verifier.OnEndOfHeaders(now);
  static std::mt19937 random(8617);
  const std::string& body = message.body();
  for (size_t pos = 0; pos < body.size();) {
    size_t n = std::uniform_int_distribution<size_t>(1, 9)(random);
    verifier.OnBodyChunk(std::string_view(body).substr(pos, n));
    pos += n;
  }
  return verifier.OnEndOfMessage();
}

ArcVerdict Verify(const SealedMessage& message, const ArcOptions& options = {}) {
  return Verify(message, Zone(), options);
}

TEST(ArcVerifier, NoArcFieldsIsNone) {
  TestResolver counting(Zone());
  ArcVerdict verdict = Verify(SealedMessage(), counting);
  EXPECT_EQ(verdict.result, ArcResult::kNone);
  EXPECT_EQ(verdict.reason, "no ARC header fields");
  EXPECT_EQ(verdict.instances, 0);
  EXPECT_EQ(counting.lookups, 0);
}

TEST(ArcVerifier, OneSetPasses) {
  SealedMessage message;
  SealOptions options = Sealer();
  options.auth_results = "mx.forwarder.example; iprev=pass smtp.remote-ip=192.0.2.25";
  message.Seal(options);
  ArcVerdict verdict = Verify(message);
  EXPECT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
  EXPECT_EQ(verdict.reason, "");
  EXPECT_EQ(verdict.instances, 1);
  EXPECT_EQ(verdict.oldest_pass, 0);
  EXPECT_EQ(verdict.remote_ip, "192.0.2.25");
  EXPECT_EQ(verdict.sealer(), "forwarder.example");
  ASSERT_EQ(verdict.sets.size(), 1u);
  EXPECT_EQ(verdict.sets[0].authserv_id, "mx.forwarder.example");
  EXPECT_EQ(verdict.sets[0].signature_selector, "arc");
}

TEST(ArcVerifier, ChainOfThreeSealersPasses) {
  SealedMessage message;
  message.Seal(Sealer("list.example"));
  message.AddHeaderOnTop("Received", " from list.example by forwarder.example");
  message.Seal(Sealer());
  SealOptions ed = Sealer("forwarder.example", "ed");
  ed.key = Ed25519Key();
  ed.algorithm = verifier::Algorithm::kEd25519Sha256;
  ed.auth_results = "mx3.example; arc=pass smtp.remote-ip=2001:db8::3";
  message.Seal(ed);
  TestResolver counting(Zone());
  ArcVerdict verdict = Verify(message, counting);
  EXPECT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
  EXPECT_EQ(verdict.instances, 3);
  EXPECT_EQ(verdict.oldest_pass, 0);
  EXPECT_EQ(verdict.remote_ip, "2001:db8::3");  // from the newest AAR only
  ASSERT_EQ(verdict.sets.size(), 3u);
  EXPECT_EQ(verdict.sets[0].seal_domain, "list.example");
  EXPECT_EQ(verdict.sets[2].seal_selector, "ed");
  EXPECT_EQ(counting.lookups, 3);  // one per distinct key, though 6 signatures use them
}

TEST(ArcVerifier, BodyChangedBetweenSealsGivesOldestPass) {
  SealedMessage message;
  message.Seal(Sealer("list.example"));
  message.set_body("Hello,\r\nthis message is forwarded.\r\n-- \r\nlist footer\r\n");
  message.Seal(Sealer());
  message.Seal(Sealer());
  ArcVerdict verdict = Verify(message);
  EXPECT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
  EXPECT_EQ(verdict.oldest_pass, 2);  // AMS(1) no longer verifies (RFC 8617 §5.2 step 5)
}

TEST(ArcVerifier, OldestPassDepthLimit) {
  SealedMessage message;
  message.Seal(Sealer());
  message.Seal(Sealer());
  message.Seal(Sealer());
  ArcOptions shallow;
  shallow.max_older_signatures = 1;  // checks AMS(2) only: AMS(1) is never reached
  ArcVerdict verdict = Verify(message, shallow);
  EXPECT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
  EXPECT_EQ(verdict.oldest_pass, std::nullopt);
  shallow.max_older_signatures = 2;
  EXPECT_EQ(Verify(message, shallow).oldest_pass, 0);
}

TEST(ArcVerifier, BodyChangedAfterTheLastSealFails) {
  SealedMessage message;
  message.Seal(Sealer());
  message.Seal(Sealer());
  message.set_body("Hello,\r\nthis message was changed after sealing.\r\n");
  ArcVerdict verdict = Verify(message);
  EXPECT_EQ(verdict.result, ArcResult::kFail);
  EXPECT_EQ(verdict.reason, "ARC-Message-Signature i=2: body hash did not verify");
  EXPECT_EQ(verdict.oldest_pass, std::nullopt);
}

TEST(ArcVerifier, SignedHeaderChangedAfterTheLastSealFails) {
  SealedMessage message;
  message.Seal(Sealer());
  message.ReplaceInField("Subject", "ARC test", "ARC test [list]");
  EXPECT_EQ(Verify(message).reason, "ARC-Message-Signature i=1: signature did not verify");
}

TEST(ArcVerifier, AuthResultsChangedFailsTheSeals) {
  SealedMessage message;
  message.Seal(Sealer());
  message.Seal(Sealer());
  message.ReplaceInField("ARC-Authentication-Results", "spf=pass", "spf=fail");
  ArcVerdict verdict = Verify(message);
  EXPECT_EQ(verdict.result, ArcResult::kFail);
  // The first AAR carries "spf=pass": AS(2) covers it too and is checked first.
  EXPECT_EQ(verdict.reason, "ARC-Seal i=2: signature did not verify");
}

TEST(ArcVerifier, BrokenOlderSealFailsUnderAGoodNewerOne) {
  SealedMessage message;
  message.Seal(Sealer());
  // Relaxed canonicalization (RFC 8617 §4.1.3) folds a doubled space: still valid.
  message.ReplaceInField("ARC-Seal", "; cv=none;", ";  cv=none;");
  EXPECT_EQ(Verify(message).result, ArcResult::kPass);
  message.ReplaceInField("ARC-Seal", "cv=none;", "cv=none; x=1;");  // breaks AS(1) only
  message.Seal(Sealer());  // AS(2) signs the chain as it now is, broken AS(1) included
  EXPECT_EQ(Verify(message).reason, "ARC-Seal i=1: signature did not verify");
}

TEST(ArcVerifier, GapFails) {
  SealedMessage message;
  message.Seal(Sealer());
  SealOptions third = Sealer();
  third.instance = 3;
  message.Seal(third);
  TestResolver counting(Zone());
  ArcVerdict verdict = Verify(message, counting);
  EXPECT_EQ(verdict.result, ArcResult::kFail);
  EXPECT_EQ(verdict.reason, "no ARC Set i=2 below i=3 (instances must run from 1 without gaps)");
  EXPECT_EQ(counting.lookups, 0);  // decided from the form: no DNS
  EXPECT_TRUE(verdict.sets.empty());
}

TEST(ArcVerifier, DuplicateSetFails) {
  SealedMessage message;
  message.Seal(Sealer());
  SealOptions again = Sealer();
  again.instance = 1;
  message.Seal(again);
  EXPECT_EQ(Verify(message).reason, "ARC-Authentication-Results i=1 appears 2 times");
}

TEST(ArcVerifier, DuplicateSealFails) {
  SealedMessage message;
  message.Seal(Sealer());
  SealOptions seal_only = Sealer();
  seal_only.instance = 1;
  seal_only.write_auth_results = false;
  seal_only.write_message_signature = false;
  message.Seal(seal_only);
  EXPECT_EQ(Verify(message).reason, "ARC-Seal i=1 appears 2 times");
}

TEST(ArcVerifier, MissingFieldFails) {
  SealedMessage message;
  message.Seal(Sealer());
  SealOptions no_ams = Sealer();
  no_ams.write_message_signature = false;
  message.Seal(no_ams);
  EXPECT_EQ(Verify(message).reason, "ARC Set i=2 has no ARC-Message-Signature");
}

TEST(ArcVerifier, FiftySetsPassAndTheFiftyFirstFails) {
  SealedMessage message;
  for (int i = 0; i < 50; ++i) message.Seal(Sealer("forwarder.example", "fast"));
  ArcVerdict verdict = Verify(message);
  EXPECT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
  EXPECT_EQ(verdict.instances, 50);
  EXPECT_EQ(verdict.oldest_pass, std::nullopt);  // 49 older AMSs: past the default depth 7
  // A 51st set: 153 ARC fields, refused before any is parsed.
  message.Seal(Sealer("forwarder.example", "fast"));
  verdict = Verify(message);
  EXPECT_EQ(verdict.result, ArcResult::kFail);
  EXPECT_EQ(verdict.reason, "more than 150 ARC header fields (50 ARC Sets at most)");
}

TEST(ArcVerifier, InstanceAboveFiftyFails) {
  SealedMessage message;
  SealOptions options = Sealer();
  options.instance = 51;
  message.Seal(options);
  EXPECT_EQ(Verify(message).reason,
            "ARC-Seal without a valid instance: i=51 is above the limit of 50 (RFC 8617 4.2.1)");
}

TEST(ArcVerifier, MoreFieldsThanFiftySetsFailUnparsed) {
  SealedMessage message;
  for (int i = 0; i < 151; ++i) message.AddHeaderOnTop("ARC-Seal", " garbage");
  EXPECT_EQ(Verify(message).reason, "more than 150 ARC header fields (50 ARC Sets at most)");
}

TEST(ArcVerifier, WrongChainStatusFails) {
  {
    SealedMessage message;
    SealOptions first = Sealer();
    first.cv = "pass";
    message.Seal(first);
    EXPECT_EQ(Verify(message).reason, "ARC-Seal i=1 has cv=pass, must be none");
  }
  {
    SealedMessage message;
    message.Seal(Sealer());
    SealOptions second = Sealer();
    second.cv = "none";
    message.Seal(second);
    EXPECT_EQ(Verify(message).reason, "ARC-Seal i=2 has cv=none, must be pass");
  }
  {
    // RFC 8617 §5.2 step 2: the newest seal says the chain already failed.
    SealedMessage message;
    message.Seal(Sealer());
    SealOptions second = Sealer();
    second.cv = "fail";
    message.Seal(second);
    TestResolver counting(Zone());
    EXPECT_EQ(Verify(message, counting).reason, "ARC-Seal i=2 reports cv=fail");
    EXPECT_EQ(counting.lookups, 0);
  }
  {
    // A cv=fail below the newest set is a form error (step 3.3).
    SealedMessage message;
    message.Seal(Sealer());
    SealOptions second = Sealer();
    second.cv = "fail";
    message.Seal(second);
    message.Seal(Sealer());
    EXPECT_EQ(Verify(message).reason, "ARC-Seal i=2 has cv=fail, must be pass");
  }
}

TEST(ArcVerifier, SealWithHTagFails) {
  SealedMessage message;
  SealOptions options = Sealer();
  options.seal_extra_tags = "h=from; ";
  message.Seal(options);
  EXPECT_EQ(Verify(message).reason, "ARC-Seal i=1: h= is not allowed in an ARC-Seal");
}

TEST(ArcVerifier, MessageSignatureRules) {
  {
    SealedMessage message;
    SealOptions options = Sealer();
    options.signed_headers = "to:subject";  // From not signed (RFC 6376 §5.4)
    message.Seal(options);
    EXPECT_EQ(Verify(message).reason, "ARC-Message-Signature i=1: From is not in h=");
  }
  {
    SealedMessage message;
    message.Seal(Sealer());
    SealOptions options = Sealer();
    options.signed_headers = "from:to:arc-seal";
    message.Seal(options);
    EXPECT_EQ(Verify(message).reason,
              "ARC-Message-Signature i=2: h= signs ARC-Seal (RFC 8617 4.1.2)");
  }
  {
    // An older AMS that does not parse leaves the chain valid; only oldest-pass moves.
    SealedMessage message;
    SealOptions bad = Sealer();
    bad.ams_extra_tags = "q=dns/none; ";
    message.Seal(bad);
    message.Seal(Sealer());
    ArcVerdict verdict = Verify(message);
    EXPECT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
    EXPECT_EQ(verdict.oldest_pass, 2);
  }
}

TEST(ArcVerifier, TimestampsOutsideTheWindowFail) {
  SealedMessage message;
  SealOptions future = Sealer();
  future.timestamp = kNow + 3600;
  message.Seal(future);
  EXPECT_EQ(Verify(message).reason, "ARC-Seal i=1: timestamp in the future");
  SealedMessage expired;
  SealOptions options = Sealer();
  options.timestamp = kNow - 7200;
  options.ams_extra_tags = "x=" + std::to_string(kNow - 3600) + "; ";
  expired.Seal(options);
  EXPECT_EQ(Verify(expired).reason, "ARC-Message-Signature i=1: signature expired");
}

TEST(ArcVerifier, KeyProblemsFail) {
  SealedMessage message;
  message.Seal(Sealer("forwarder.example", "missing"));
  EXPECT_EQ(Verify(message).reason, "ARC-Message-Signature i=1: no key for signature (NXDOMAIN)");
  // RFC 8617 §5.2.1: a DNS failure is a failure like any other.
  SealedMessage good;
  good.Seal(Sealer());
  TestResolver timeout(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "timeout"}));
  EXPECT_EQ(Verify(good, timeout).reason, "ARC-Message-Signature i=1: key lookup failed: timeout");
  // A seal signed by a key other than the one published.
  SealedMessage wrong_key;
  SealOptions options = Sealer("list.example");
  options.key = RsaKey(2048);
  wrong_key.Seal(options);
  EXPECT_EQ(Verify(wrong_key).reason, "ARC-Message-Signature i=1: signature did not verify");
}

TEST(ArcVerifier, BodyChunkingDoesNotMatter) {
  SealedMessage message;
  message.set_body("line one  \r\n\r\n\tline three\r\n\r\n\r\n");
  message.Seal(Sealer());
  for (int run = 0; run < 20; ++run) {
    ArcVerdict verdict = Verify(message);
    ASSERT_EQ(verdict.result, ArcResult::kPass) << verdict.reason;
  }
}

}  // namespace
}  // namespace kenin::arc
