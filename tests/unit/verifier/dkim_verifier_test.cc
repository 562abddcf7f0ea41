// End to end in one process: messages signed with SignMessage and keys generated here, key
// records served from a zone in memory, the body fed in random chunks. Each test changes one
// thing and checks the verdict and its reason (docs/dkim.md lists the order of checks).
#include "verifier/dkim_verifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dns/zone_resolver.h"
#include "tests/unit/dns/test_zone.h"
#include "tests/unit/verifier/test_keys.h"
#include "verifier/signer.h"

namespace kenin::verifier {
namespace {

using testkeys::Ed25519Key;
using testkeys::KeyRecordText;
using testkeys::RsaKey;
using testkeys::ZoneTxtLine;

constexpr int64_t kNow = 1700000000;
constexpr unsigned kRsaBits = 2048;  // its p= does not fit one TXT string: exercises joining

// Selectors under example.com, one per kind of key record.
dns::ZoneResolver& Zone() {
  static const std::unique_ptr<dns::ZoneResolver> zone = [] {
    EVP_PKEY* rsa = RsaKey(kRsaBits);
    std::string text;
    auto add = [&](std::string_view selector, std::string_view record) {
      text += ZoneTxtLine(std::string(selector) + "._domainkey.example.com.", record);
    };
    add("rsa", KeyRecordText(rsa));
    add("ed", KeyRecordText(Ed25519Key()));
    add("edkey", KeyRecordText(Ed25519Key()));  // for RSA signatures: wrong key type
    add("revoked", "v=DKIM1; k=rsa; p=");
    add("testing", KeyRecordText(rsa, "t=y; "));
    add("strict", KeyRecordText(rsa, "t=s; "));
    add("sha1only", KeyRecordText(rsa, "h=sha1; "));
    add("web", KeyRecordText(rsa, "s=web; "));
    add("small", KeyRecordText(RsaKey(512)));
    add("multi", "this is not a key");  // several records: the garbage one comes first
    add("multi", KeyRecordText(rsa));
    text += "nodata._domainkey.example.com. 300 IN A 192.0.2.1\n";
    return testzone::ZoneFromText(text, "test.zone");
  }();
  return *zone;
}

// A resolver whose every answer is the same: for DNS failures a zone cannot express.
class FixedResolver : public dns::Resolver {
 public:
  explicit FixedResolver(dns::Result<dns::Answer> answer) : answer_(std::move(answer)) {}
  dns::AnswerFuture Lookup(const dns::Question&) override { return dns::ReadyAnswer(answer_); }

 private:
  dns::Result<dns::Answer> answer_;
};

struct Message {
  std::vector<HeaderField> headers = {
      {"Received", " from mail.example.com by mx.example.net; Tue, 14 Nov 2023 22:13:21 +0000"},
      {"From", " Alice <alice@example.com>"},
      {"To", " Bob <bob@example.net>"},
      {"Subject", " Lunch  plans\t"},
      {"Date", " Tue, 14 Nov 2023 22:13:20 +0000"},
      {"Message-ID", " <1@example.com>"},
  };
  // Whitespace runs, a whitespace-only line and trailing blank lines: canonicalization matters.
  std::string body = "Hi Bob,\r\n\r\nLunch at  noon? \r\n\t\r\n-- \r\nAlice\r\n\r\n\r\n";
};

SignRequest Request(Algorithm algorithm, std::string selector) {
  SignRequest request;
  request.algorithm = algorithm;
  request.domain = "example.com";
  request.selector = std::move(selector);
  return request;
}

std::string Sign(const Message& message, const SignRequest& request, EVP_PKEY* key) {
  auto value = SignMessage(request, key, message.headers, message.body);
  EXPECT_TRUE(value) << value.error().detail;
  return value.value_or("");
}

std::string SignRsa(const Message& message, std::string selector = "rsa") {
  return Sign(message, Request(Algorithm::kRsaSha256, std::move(selector)), RsaKey(kRsaBits));
}

// Signature fields go on top, as a signer adds them; the body arrives in random chunks.
std::vector<DkimVerdict> Verify(const std::vector<std::string>& signatures, const Message& message,
                                const VerifyOptions& options = {},
                                dns::Resolver& resolver = Zone()) {
  DkimVerifier verifier(options, resolver);
  for (const std::string& signature : signatures) verifier.OnHeader("DKIM-Signature", signature);
  for (const HeaderField& field : message.headers) verifier.OnHeader(field.name, field.value);
  verifier.OnEndOfHeaders(kNow);
  std::mt19937 rng(8463);  // fixed seed: a failure replays with the same chunks
  std::string_view body = message.body;
  while (!body.empty()) {
    size_t size = std::min(body.size(), std::uniform_int_distribution<size_t>(1, 9)(rng));
    verifier.OnBodyChunk(body.substr(0, size));
    body.remove_prefix(size);
  }
  return verifier.OnEndOfMessage();
}

DkimVerdict VerifyOne(const std::string& signature, const Message& message,
                      const VerifyOptions& options = {}) {
  std::vector<DkimVerdict> verdicts = Verify({signature}, message, options);
  EXPECT_EQ(verdicts.size(), 1u);
  return verdicts.empty() ? DkimVerdict{} : verdicts.front();
}

// Checks result and reason together, so a failure shows both.
void ExpectVerdict(const DkimVerdict& verdict, DkimResult result, std::string_view reason) {
  EXPECT_EQ(ToToken(verdict.result), ToToken(result)) << "reason: " << verdict.reason;
  if (reason.empty()) {
    EXPECT_EQ(verdict.reason, "");
  } else {
    EXPECT_NE(verdict.reason.find(reason), std::string::npos) << "reason: " << verdict.reason;
  }
}

TEST(DkimVerifier, PassesForEveryAlgorithmCanonicalizationAndBodyLength) {
  const Canonicalization kCanons[] = {Canonicalization::kSimple, Canonicalization::kRelaxed};
  for (Algorithm algorithm : {Algorithm::kRsaSha256, Algorithm::kEd25519Sha256}) {
    bool ed = algorithm == Algorithm::kEd25519Sha256;
    for (Canonicalization header_canon : kCanons) {
      for (Canonicalization body_canon : kCanons) {
        for (bool body_length : {false, true}) {
          SCOPED_TRACE(testing::Message() << (ed ? "ed25519 " : "rsa ") << ToString(header_canon)
                                          << "/" << ToString(body_canon) << " l=" << body_length);
          Message message;
          SignRequest request = Request(algorithm, ed ? "ed" : "rsa");
          request.header_canon = header_canon;
          request.body_canon = body_canon;
          request.body_length = body_length;
          DkimVerdict verdict =
              VerifyOne(Sign(message, request, ed ? Ed25519Key() : RsaKey(kRsaBits)), message);
          ExpectVerdict(verdict, DkimResult::kPass, "");
          EXPECT_EQ(verdict.ids.domain, "example.com");
          EXPECT_EQ(verdict.ids.selector, ed ? "ed" : "rsa");
          EXPECT_EQ(verdict.ids.identity, "@example.com");
          EXPECT_EQ(verdict.ids.algorithm, ed ? "ed25519-sha256" : "rsa-sha256");
          if (!ed) {
            EXPECT_EQ(verdict.ids.key_bits, kRsaBits);
          }
          EXPECT_FALSE(verdict.body_truncated);
          EXPECT_FALSE(verdict.key_testing);
        }
      }
    }
  }
}

TEST(DkimVerifier, ChangedBodyLineFailsBodyHash) {
  Message message;
  std::string signature = SignRsa(message);
  message.body.replace(message.body.find("noon"), 4, "one!");
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kFail, "body hash");
}

TEST(DkimVerifier, ChangedSignedHeaderFailsSignature) {
  Message message;
  std::string signature = SignRsa(message);
  message.headers[3].value = " Dinner plans";
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kFail, "signature did not verify");
}

TEST(DkimVerifier, KeyThatDidNotSignFailsSignature) {
  Message message;
  std::string signature = Sign(message, Request(Algorithm::kRsaSha256, "rsa"), RsaKey(1024));
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kFail, "signature did not verify");
}

TEST(DkimVerifier, AddedUnsignedHeadersStillPass) {
  Message message;
  std::string signature = SignRsa(message);
  message.headers.insert(message.headers.begin(), {"Received", " from mx by mda"});
  message.headers.push_back({"X-Spam-Score", " 0.1"});
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kPass, "");
}

TEST(DkimVerifier, ExtraInstanceOfOversignedHeaderFails) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.signed_headers = {"from", "to", "subject", "subject"};
  std::string signature = Sign(message, request, RsaKey(kRsaBits));
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kPass, "");
  message.headers.insert(message.headers.begin() + 1, {"Subject", " You won a prize"});
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kFail, "signature did not verify");
}

TEST(DkimVerifier, ExtraInstanceAboveANameSignedOnceIsNotSeen) {
  // Why oversigning exists: only the bottom instance is covered by a single "subject".
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.signed_headers = {"from", "to", "subject"};
  std::string signature = Sign(message, request, RsaKey(kRsaBits));
  message.headers.insert(message.headers.begin() + 1, {"Subject", " You won a prize"});
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kPass, "");
}

TEST(DkimVerifier, FieldsWithSpaceBeforeTheColonAreFoundAndSigned) {
  // RFC 5322 §4.5 obsolete syntax "Name : value" (the RFC 6376 §3.4.5 example): the name is
  // handed over with its trailing WSP, and is still the name relaxed canonicalization hashes.
  Message message;
  message.headers[3].name = "Subject ";
  std::string signature = SignRsa(message);
  ASSERT_TRUE(signature.find("subject") != std::string::npos) << signature;
  VerifyOptions options;  // the verifier keeps a reference
  DkimVerifier verifier(options, Zone());
  verifier.OnHeader("DKIM-Signature ", signature);
  for (const HeaderField& field : message.headers) verifier.OnHeader(field.name, field.value);
  verifier.OnEndOfHeaders(kNow);
  verifier.OnBodyChunk(message.body);
  std::vector<DkimVerdict> verdicts = verifier.OnEndOfMessage();
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kPass, "");
  message.headers[3].value = " Dinner plans";
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kFail, "signature did not verify");
}

TEST(DkimVerifier, RsaSignatureWithEd25519KeyIsPermerror) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "edkey"), message), DkimResult::kPermError,
                "key type does not match");
}

TEST(DkimVerifier, NxdomainKeyIsPermerror) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "absent"), message), DkimResult::kPermError, "NXDOMAIN");
}

TEST(DkimVerifier, KeyNameWithoutTxtIsPermerror) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "nodata"), message), DkimResult::kPermError,
                "no key record");
}

TEST(DkimVerifier, RevokedKeyIsPermerror) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "revoked"), message), DkimResult::kPermError, "revoked");
}

TEST(DkimVerifier, SmallKeyIsPermerror) {
  Message message;
  DkimVerdict verdict =
      VerifyOne(Sign(message, Request(Algorithm::kRsaSha256, "small"), RsaKey(512)), message);
  ExpectVerdict(verdict, DkimResult::kPermError, "512-bit RSA key is too small");
}

TEST(DkimVerifier, TestingKeyPassesAndIsReported) {
  Message message;
  DkimVerdict verdict = VerifyOne(SignRsa(message, "testing"), message);
  ExpectVerdict(verdict, DkimResult::kPass, "");
  EXPECT_TRUE(verdict.key_testing);
}

TEST(DkimVerifier, StrictKeyRefusesSubdomainIdentity) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "strict");
  request.identity = "alice@mail.example.com";
  ExpectVerdict(VerifyOne(Sign(message, request, RsaKey(kRsaBits)), message),
                DkimResult::kPermError, "t=s");
  request.identity = "alice@example.com";
  ExpectVerdict(VerifyOne(Sign(message, request, RsaKey(kRsaBits)), message), DkimResult::kPass,
                "");
}

TEST(DkimVerifier, KeyRestrictedToSha1RefusesSha256) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "sha1only"), message), DkimResult::kPermError,
                "h= does not allow sha256");
}

TEST(DkimVerifier, KeyForAnotherServiceIsPermerror) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "web"), message), DkimResult::kPermError,
                "s= does not allow email");
}

TEST(DkimVerifier, MoreSignaturesThanTheLimitArePermerror) {
  Message message;
  std::string signature = SignRsa(message);
  VerifyOptions options;
  options.max_signatures = 2;
  std::vector<DkimVerdict> verdicts = Verify({signature, signature, signature}, message, options);
  ASSERT_EQ(verdicts.size(), 3u);
  ExpectVerdict(verdicts[0], DkimResult::kPass, "");
  ExpectVerdict(verdicts[1], DkimResult::kPass, "");
  ExpectVerdict(verdicts[2], DkimResult::kPermError, "too many");
  EXPECT_EQ(verdicts[2].ids.domain, "example.com");
}

TEST(DkimVerifier, ExpiredSignatureIsPolicy) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.timestamp = kNow - 7200;
  request.expiration = kNow - 3600;
  ExpectVerdict(VerifyOne(Sign(message, request, RsaKey(kRsaBits)), message), DkimResult::kPolicy,
                "expired");
  request.expiration = kNow - 100;  // within the clock skew
  ExpectVerdict(VerifyOne(Sign(message, request, RsaKey(kRsaBits)), message), DkimResult::kPass,
                "");
}

TEST(DkimVerifier, TimestampFarInTheFutureIsPolicy) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.timestamp = kNow + 86400;
  ExpectVerdict(VerifyOne(Sign(message, request, RsaKey(kRsaBits)), message), DkimResult::kPolicy,
                "future");
  request.timestamp = kNow + 100;  // within the clock skew
  ExpectVerdict(VerifyOne(Sign(message, request, RsaKey(kRsaBits)), message), DkimResult::kPass,
                "");
}

TEST(DkimVerifier, RsaSha1IsPermerrorUnlessAllowed) {
  Message message;
  std::string signature = Sign(message, Request(Algorithm::kRsaSha1, "rsa"), RsaKey(kRsaBits));
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kPermError, "rsa-sha1");
  VerifyOptions options;
  options.signature.allow_rsa_sha1 = true;
  ExpectVerdict(VerifyOne(signature, message, options), DkimResult::kPass, "");
}

TEST(DkimVerifier, GarbageTxtRecordBeforeTheRealKeyStillPasses) {
  Message message;
  ExpectVerdict(VerifyOne(SignRsa(message, "multi"), message), DkimResult::kPass, "");
}

TEST(DkimVerifier, BodyLengthWithAppendedContentPassesAndIsReported) {
  for (Canonicalization canon : {Canonicalization::kSimple, Canonicalization::kRelaxed}) {
    SCOPED_TRACE(ToString(canon));
    Message message;
    SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
    request.body_canon = canon;
    request.body_length = true;
    std::string signature = Sign(message, request, RsaKey(kRsaBits));
    message.body += "Unsigned: click here\r\n";
    DkimVerdict verdict = VerifyOne(signature, message);
    ExpectVerdict(verdict, DkimResult::kPass, "");
    EXPECT_TRUE(verdict.body_truncated);
  }
}

// The AD bit of the key's answer travels with the verdict (policy/dkim_local_policy.h
// decides whether it is believed), with the key's type and the signature's l=.
TEST(DkimVerifier, KeyAnswerAdBitTypeAndLengthAreCarried) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.body_length = true;
  const std::string signature = Sign(message, request, RsaKey(kRsaBits));
  for (bool authenticated : {true, false}) {
    dns::Result<dns::Answer> answer =
        Zone().Lookup({"rsa._domainkey.example.com", dns::RecordType::kTxt}).get();
    ASSERT_TRUE(answer);
    answer->authenticated = authenticated;
    FixedResolver resolver(answer);
    std::vector<DkimVerdict> verdicts = Verify({signature}, message, {}, resolver);
    ASSERT_EQ(verdicts.size(), 1u);
    ExpectVerdict(verdicts[0], DkimResult::kPass, "");
    EXPECT_EQ(verdicts[0].key_dnssec, std::optional<bool>(authenticated));
    EXPECT_EQ(verdicts[0].ids.key_type, "rsa");
    EXPECT_TRUE(verdicts[0].body_length.has_value());
  }
  // No key answer read (NXDOMAIN): no DNSSEC status at all.
  dns::Answer nxdomain;
  nxdomain.rcode = dns::Rcode::kNxDomain;
  nxdomain.authenticated = true;
  FixedResolver resolver(nxdomain);
  std::vector<DkimVerdict> verdicts = Verify({signature}, message, {}, resolver);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].key_dnssec.has_value());
}

TEST(DkimVerifier, BodyShorterThanLengthFails) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.body_length = true;
  std::string signature = Sign(message, request, RsaKey(kRsaBits));
  message.body = "Hi Bob,\r\n";
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kFail, "body shorter than l=");
}

TEST(DkimVerifier, SignaturesWithDifferentBodyParametersAllPass) {
  Message message;
  SignRequest simple = Request(Algorithm::kRsaSha256, "rsa");
  simple.body_canon = Canonicalization::kSimple;
  SignRequest limited = Request(Algorithm::kEd25519Sha256, "ed");
  limited.body_length = true;
  std::vector<DkimVerdict> verdicts =
      Verify({Sign(message, simple, RsaKey(kRsaBits)), Sign(message, limited, Ed25519Key()),
              SignRsa(message)},
             message);
  ASSERT_EQ(verdicts.size(), 3u);
  for (const DkimVerdict& verdict : verdicts) ExpectVerdict(verdict, DkimResult::kPass, "");
}

TEST(DkimVerifier, MalformedSignatureIsPermerrorInFieldOrder) {
  Message message;
  std::string broken = " v=1; a=rsa-sha256; d=example.org; s=sel; h=from; b=AAAA";
  std::vector<DkimVerdict> verdicts = Verify({broken, SignRsa(message)}, message);
  ASSERT_EQ(verdicts.size(), 2u);
  ExpectVerdict(verdicts[0], DkimResult::kPermError, "missing required tag bh=");
  EXPECT_EQ(verdicts[0].ids.domain, "example.org");
  EXPECT_EQ(verdicts[0].ids.selector, "sel");
  ExpectVerdict(verdicts[1], DkimResult::kPass, "");
}

TEST(DkimVerifier, NoSignatureGivesNoVerdict) { EXPECT_TRUE(Verify({}, Message{}).empty()); }

TEST(DkimVerifier, DnsTimeoutIsTemperror) {
  Message message;
  FixedResolver resolver(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "timed out"}));
  std::vector<DkimVerdict> verdicts = Verify({SignRsa(message)}, message, {}, resolver);
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kTempError, "timed out");
}

TEST(DkimVerifier, ServfailIsTemperror) {
  Message message;
  dns::Answer servfail;
  servfail.rcode = dns::Rcode::kServFail;
  FixedResolver resolver(servfail);
  std::vector<DkimVerdict> verdicts = Verify({SignRsa(message)}, message, {}, resolver);
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kTempError, "SERVFAIL");
}

// Resource bounds (docs/security.md, "Resource exhaustion").

// Feeds `fields` as they come and the message's body in one chunk.
std::vector<DkimVerdict> VerifyFields(const std::vector<HeaderField>& fields, const Message& message,
                                      const VerifyOptions& options, dns::Resolver& resolver = Zone(),
                                      std::optional<Deadline> deadline = std::nullopt) {
  DkimVerifier verifier(options, resolver);
  for (const HeaderField& field : fields) verifier.OnHeader(field.name, field.value);
  verifier.OnEndOfHeaders(kNow);
  verifier.OnBodyChunk(message.body);
  return verifier.OnEndOfMessage(deadline);
}

std::vector<HeaderField> WithSignature(const std::string& signature, const Message& message) {
  std::vector<HeaderField> fields = {{"DKIM-Signature", signature}};
  fields.insert(fields.end(), message.headers.begin(), message.headers.end());
  return fields;
}

size_t WireSize(const std::vector<HeaderField>& fields) {
  size_t size = 0;
  for (const HeaderField& field : fields) size += field.name.size() + 1 + field.value.size() + 2;
  return size;
}

TEST(DkimVerifierLimits, HeaderBlockUpToTheBoundVerifiesOneOctetMoreIsPermerror) {
  Message message;
  std::vector<HeaderField> fields = WithSignature(SignRsa(message), message);
  VerifyOptions options;
  options.max_header_bytes = WireSize(fields);
  std::vector<DkimVerdict> verdicts = VerifyFields(fields, message, options);
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kPass, "");
  options.max_header_bytes = WireSize(fields) - 1;
  verdicts = VerifyFields(fields, message, options);
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kPermError,
                "header block over " + std::to_string(options.max_header_bytes) + " bytes");
  EXPECT_EQ(verdicts[0].ids.domain, "example.com");  // taken before the header was dropped
  EXPECT_EQ(verdicts[0].ids.selector, "rsa");
}

TEST(DkimVerifierLimits, SignaturesAfterTheBoundAreCountedWithoutTheirFields) {
  Message message;
  const std::string signature = SignRsa(message);
  std::vector<HeaderField> fields = WithSignature(signature, message);
  fields.push_back({"X-Filler", " " + std::string(20000, 'x')});
  fields.push_back({"DKIM-Signature", signature});  // past the bound: not kept, not parsed
  VerifyOptions options;
  options.max_header_bytes = 16384;
  std::vector<DkimVerdict> verdicts = VerifyFields(fields, message, options);
  ASSERT_EQ(verdicts.size(), 2u);
  ExpectVerdict(verdicts[0], DkimResult::kPermError, "header block over 16384 bytes");
  EXPECT_EQ(verdicts[0].ids.domain, "example.com");
  ExpectVerdict(verdicts[1], DkimResult::kPermError, "header block over 16384 bytes");
  EXPECT_EQ(verdicts[1].ids.domain, "");
}

TEST(DkimVerifierLimits, SignaturesPastTheListingBoundShareOneVerdict) {
  Message message;
  const std::vector<std::string> hundred(100, SignRsa(message));
  std::vector<DkimVerdict> verdicts = Verify(hundred, message);  // max_signatures 8
  ASSERT_EQ(verdicts.size(), kMaxListedSignatures + 1);
  for (size_t i = 0; i < 8; ++i) ExpectVerdict(verdicts[i], DkimResult::kPass, "");
  for (size_t i = 8; i < kMaxListedSignatures; ++i) {
    ExpectVerdict(verdicts[i], DkimResult::kPermError, "too many signatures");
    EXPECT_EQ(verdicts[i].ids.domain, "example.com");
  }
  ExpectVerdict(verdicts.back(), DkimResult::kPermError, "36 more signatures not listed");
}

TEST(DkimVerifierLimits, SignedHeaderListOverTheBoundIsPermerror) {
  Message message;
  SignRequest request = Request(Algorithm::kRsaSha256, "rsa");
  request.signed_headers = {"from", "to", "subject"};
  for (int i = 0; i < 997; ++i) request.signed_headers.push_back("x-absent-" + std::to_string(i));
  const std::string signature = Sign(message, request, RsaKey(kRsaBits));  // h= of 1000 names
  ExpectVerdict(VerifyOne(signature, message), DkimResult::kPermError,
                "h= lists 1000 names, over 128");
  VerifyOptions options;
  options.signature.max_signed_headers = 1000;
  ExpectVerdict(VerifyOne(signature, message, options), DkimResult::kPass, "");
}

// Lookups that never complete: a nameserver that does not answer.
class SilentResolver : public dns::Resolver {
 public:
  dns::AnswerFuture Lookup(const dns::Question&) override {
    return promises_.emplace_back().get_future().share();
  }

 private:
  std::vector<std::promise<dns::Result<dns::Answer>>> promises_;
};

TEST(DkimVerifierLimits, KeyUnansweredAtTheDeadlineIsTemperror) {
  Message message;
  SilentResolver silent;
  const auto start = std::chrono::steady_clock::now();
  std::vector<DkimVerdict> verdicts =
      VerifyFields(WithSignature(SignRsa(message), message), message, {}, silent,
                   start + std::chrono::milliseconds(100));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kTempError, "time budget exhausted");
  EXPECT_EQ(verdicts[0].ids.domain, "example.com");
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(DkimVerifierLimits, KeysAlreadyAnsweredPassEvenPastTheDeadline) {
  Message message;
  std::vector<DkimVerdict> verdicts =
      VerifyFields(WithSignature(SignRsa(message), message), message, {}, Zone(),
                   std::chrono::steady_clock::now() - std::chrono::seconds(1));
  ASSERT_EQ(verdicts.size(), 1u);
  ExpectVerdict(verdicts[0], DkimResult::kPass, "");
}

}  // namespace
}  // namespace kenin::verifier
