// The signer builds fields that our own parser reads back with the request's values; the
// round trip through DNS and the verifier is in dkim_verifier_test.
#include "verifier/signer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/verifier/test_keys.h"
#include "verifier/body_hasher.h"
#include "verifier/digest.h"
#include "verifier/header_hash.h"

namespace kenin::verifier {
namespace {

const std::vector<HeaderField> kHeaders = {
    {"Received", " from x by y"}, {"From", " Alice <alice@example.com>"},
    {"To", " bob@example.net"},   {"Subject", " Hello"},
    {"X-Mailer", " test"},
};
constexpr std::string_view kBody = "Hi  Bob,\r\n\r\nbye\r\n\r\n";

SignRequest Request(Algorithm algorithm = Algorithm::kRsaSha256) {
  SignRequest request;
  request.algorithm = algorithm;
  request.domain = "example.com";
  request.selector = "s1";
  return request;
}

EVP_PKEY* KeyFor(Algorithm algorithm) {
  return algorithm == Algorithm::kEd25519Sha256 ? testkeys::Ed25519Key() : testkeys::RsaKey(1024);
}

TEST(SignMessage, FieldParsesBackWithTheRequestedValues) {
  SignRequest request = Request();
  request.header_canon = Canonicalization::kSimple;
  request.body_canon = Canonicalization::kRelaxed;
  request.identity = "alice@mail.example.com";
  request.timestamp = 1700000000;
  request.expiration = 1700086400;
  auto value = SignMessage(request, KeyFor(request.algorithm), kHeaders, kBody);
  ASSERT_TRUE(value) << value.error().detail;
  EXPECT_TRUE(value->starts_with(" v=1; a=rsa-sha256; c=simple/relaxed; d=example.com; s=s1;"))
      << *value;
  auto sig = ParseSignature(*value);
  ASSERT_TRUE(sig) << sig.error().detail;
  EXPECT_EQ(sig->identity, "alice@mail.example.com");
  EXPECT_EQ(sig->timestamp, request.timestamp);
  EXPECT_EQ(sig->expiration, request.expiration);
  EXPECT_EQ(sig->body_length, std::nullopt);
  EXPECT_EQ(sig->signature.size(), 128u);  // a 1024-bit RSA signature

  BodyHasher hasher(Canonicalization::kRelaxed, HashAlgorithm::kSha256, std::nullopt);
  hasher.Update(kBody);
  EXPECT_EQ(sig->body_hash, hasher.Finish());
}

TEST(SignMessage, DefaultHeaderListIsTheUsualFieldsPresent) {
  auto value = SignMessage(Request(), KeyFor(Algorithm::kRsaSha256), kHeaders, kBody);
  ASSERT_TRUE(value);
  auto sig = ParseSignature(*value);
  ASSERT_TRUE(sig);
  // In DefaultSignedHeaders() order; Received and X-Mailer are not in that list.
  EXPECT_EQ(sig->signed_headers, (std::vector<std::string>{"from", "to", "subject"}));
}

TEST(SignMessage, ExplicitHeaderListIsUsedAsGiven) {
  SignRequest request = Request();
  request.signed_headers = {"from", "subject", "subject"};
  auto value = SignMessage(request, KeyFor(request.algorithm), kHeaders, kBody);
  ASSERT_TRUE(value);
  EXPECT_EQ(ParseSignature(*value)->signed_headers, request.signed_headers);
}

TEST(SignMessage, BodyLengthIsTheCanonicalLength) {
  SignRequest request = Request();
  request.body_length = true;
  auto value = SignMessage(request, KeyFor(request.algorithm), kHeaders, kBody);
  ASSERT_TRUE(value);
  // Relaxed: "Hi Bob,\r\n\r\nbye\r\n" is 16 octets.
  EXPECT_EQ(ParseSignature(*value)->body_length, std::optional<uint64_t>(16));
}

TEST(SignMessage, Ed25519SignatureIs64Octets) {
  auto value = SignMessage(Request(Algorithm::kEd25519Sha256), KeyFor(Algorithm::kEd25519Sha256),
                           kHeaders, kBody);
  ASSERT_TRUE(value) << value.error().detail;
  auto sig = ParseSignature(*value);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->algorithm, Algorithm::kEd25519Sha256);
  EXPECT_EQ(sig->signature.size(), 64u);
}

TEST(SignMessage, SignatureVerifiesOverTheHeaderData) {
  for (Algorithm algorithm : {Algorithm::kRsaSha256, Algorithm::kEd25519Sha256}) {
    for (Canonicalization canon : {Canonicalization::kSimple, Canonicalization::kRelaxed}) {
      SignRequest request = Request(algorithm);
      request.header_canon = canon;
      auto value = SignMessage(request, KeyFor(algorithm), kHeaders, kBody);
      ASSERT_TRUE(value);
      auto sig = ParseSignature(*value);
      ASSERT_TRUE(sig);
      std::string data = CanonicalHeaderData(kHeaders, sig->signed_headers, canon, "DKIM-Signature",
                                             sig->value_without_b);
      EXPECT_TRUE(VerifyDigest(KeyFor(algorithm), algorithm,
                               HashBytes(HashAlgorithm::kSha256, data), sig->signature));
    }
  }
}

TEST(SignMessage, FoldsLongLines) {
  auto value = SignMessage(Request(), testkeys::RsaKey(2048), kHeaders, kBody);
  ASSERT_TRUE(value);
  size_t start = 0;
  for (size_t end; (end = value->find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 78u) << value->substr(start, end - start);
  }
  EXPECT_LE(value->size() - start, 78u);
}

TEST(SignMessage, KeyOfTheWrongTypeIsRefused) {
  auto value = SignMessage(Request(Algorithm::kRsaSha256), testkeys::Ed25519Key(), kHeaders, kBody);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, ErrorCode::kBadKey);
  value = SignMessage(Request(Algorithm::kEd25519Sha256), testkeys::RsaKey(1024), kHeaders, kBody);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, ErrorCode::kBadKey);
}

TEST(SignMessage, DomainAndSelectorAreRequired) {
  SignRequest request = Request();
  request.domain.clear();
  auto value = SignMessage(request, KeyFor(request.algorithm), kHeaders, kBody);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, ErrorCode::kSyntax);
  request = Request();
  request.selector.clear();
  EXPECT_FALSE(SignMessage(request, KeyFor(request.algorithm), kHeaders, kBody));
}

TEST(DefaultSignedHeaders, StartsWithFrom) {
  // RFC 6376 §5.4: From MUST be signed.
  ASSERT_FALSE(DefaultSignedHeaders().empty());
  EXPECT_EQ(DefaultSignedHeaders().front(), "from");
}

}  // namespace
}  // namespace kenin::verifier
