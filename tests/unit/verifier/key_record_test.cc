// DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463 §4) and the signature check over a
// digest. Keys are generated in the test (test_keys.h); nothing is read from disk.
#include "verifier/key_record.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string>

#include "tests/unit/verifier/test_keys.h"
#include "verifier/base64.h"
#include "verifier/digest.h"

namespace kenin::verifier {
namespace {

using testkeys::Ed25519Key;
using testkeys::KeyRecordText;
using testkeys::RsaKey;

void ExpectError(std::string_view txt, ErrorCode code, std::string_view reason,
                 const KeyOptions& options = {}) {
  auto parsed = ParseKeyRecord(txt, options);
  ASSERT_FALSE(parsed) << "parsed although it should not: " << txt.substr(0, 60);
  EXPECT_EQ(parsed.error().code, code);
  EXPECT_NE(parsed.error().detail.find(reason), std::string::npos) << parsed.error().detail;
}

std::string RsaP(unsigned bits) { return EncodeBase64(testkeys::SpkiDer(RsaKey(bits))); }

TEST(ParseKeyRecord, Accepts1024BitRsaKeyWithDefaults) {
  auto key = ParseKeyRecord("p=" + RsaP(1024));
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->type, KeyType::kRsa);  // k= defaults to rsa
  EXPECT_EQ(key->bits, 1024u);
  EXPECT_TRUE(key->hashes.empty());
  EXPECT_EQ(key->services, (std::vector<std::string>{"*"}));
  EXPECT_FALSE(key->testing);
  EXPECT_FALSE(key->strict_identity);
  EXPECT_TRUE(key->AllowsHash(HashAlgorithm::kSha256));
  EXPECT_TRUE(key->AllowsHash(HashAlgorithm::kSha1));
  EXPECT_TRUE(key->AllowsEmail());
  ASSERT_NE(key->key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key->key.get()), EVP_PKEY_RSA);
}

TEST(ParseKeyRecord, AcceptsEd25519RawKey) {
  auto key = ParseKeyRecord(KeyRecordText(Ed25519Key()));
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->type, KeyType::kEd25519);
  EXPECT_EQ(EVP_PKEY_get_base_id(key->key.get()), EVP_PKEY_ED25519);
}

TEST(ParseKeyRecord, AcceptsBarePkcs1RsaPublicKey) {
  unsigned char* der = nullptr;
  int size = i2d_PublicKey(RsaKey(1024), &der);
  std::string pkcs1(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  auto key = ParseKeyRecord("k=rsa; p=" + EncodeBase64(pkcs1));
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->bits, 1024u);
}

TEST(ParseKeyRecord, ToleratesFwsInsideP) {
  std::string p = RsaP(1024);
  auto key = ParseKeyRecord("p=" + p.substr(0, 50) + " \r\n\t" + p.substr(50));
  ASSERT_TRUE(key) << key.error().detail;
}

TEST(ParseKeyRecord, IgnoresUnknownTags) {
  EXPECT_TRUE(ParseKeyRecord("v=DKIM1; n=notes here; g=*; zz=1; p=" + RsaP(1024)));
}

TEST(ParseKeyRecord, EmptyPMeansRevoked) {
  ExpectError("v=DKIM1; k=rsa; p=", ErrorCode::kKeyRevoked, "revoked");
  ExpectError("v=DKIM1; p= \r\n ", ErrorCode::kKeyRevoked, "revoked");
}

TEST(ParseKeyRecord, MissingPIsRejected) {
  ExpectError("v=DKIM1; k=rsa", ErrorCode::kMissingTag, "p=");
}

TEST(ParseKeyRecord, BadBase64InPIsRejected) {
  ExpectError("p=MIGfMA0G*CSqGSIb3", ErrorCode::kBadBase64, "p= is not valid base64");
}

TEST(ParseKeyRecord, PThatIsNotAKeyIsRejected) {
  ExpectError("p=" + EncodeBase64("definitely not DER"), ErrorCode::kBadKey, "not an RSA");
}

TEST(ParseKeyRecord, RsaKeyWithTrailingGarbageIsRejected) {
  ExpectError("p=" + EncodeBase64(testkeys::SpkiDer(RsaKey(1024)) + "xx"), ErrorCode::kBadKey,
              "not an RSA");
}

TEST(ParseKeyRecord, Ed25519KeyInRsaRecordIsRejected) {
  ExpectError("k=rsa; p=" + EncodeBase64(testkeys::SpkiDer(Ed25519Key())), ErrorCode::kBadKey,
              "not an RSA");
}

TEST(ParseKeyRecord, SmallRsaKeyIsRefused) {
  // RFC 8301 §3.2: keys under 1024 bits MUST NOT be considered valid.
  ExpectError("p=" + RsaP(512), ErrorCode::kKeyTooSmall, "512-bit");
}

TEST(ParseKeyRecord, MinimumSizeIsAnOption) {
  auto key = ParseKeyRecord("p=" + RsaP(512), KeyOptions{.min_rsa_bits = 512});
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->bits, 512u);
}

TEST(ParseKeyRecord, KeyOverTheCostBoundIsRefused) {
  ExpectError("p=" + RsaP(1024), ErrorCode::kKeyTooLarge, "1024-bit",
              KeyOptions{.min_rsa_bits = 512, .max_rsa_bits = 1000});
}

TEST(ParseKeyRecord, SpkiEd25519KeyOf44BytesIsRefused) {
  // RFC 8463 §4: p= is the raw 32-octet key; publishing the 44-octet SPKI is a common mistake.
  std::string spki = testkeys::SpkiDer(Ed25519Key());
  ASSERT_EQ(spki.size(), 44u);
  ExpectError("k=ed25519; p=" + EncodeBase64(spki), ErrorCode::kBadKey, "32 raw bytes, got 44");
}

TEST(ParseKeyRecord, UnknownKeyTypeIsRejected) {
  ExpectError("k=foo; p=" + RsaP(1024), ErrorCode::kUnsupportedAlgorithm, "k=foo");
}

TEST(ParseKeyRecord, VersionMustBeTheFirstTag) {
  ExpectError("k=rsa; v=DKIM1; p=" + RsaP(1024), ErrorCode::kSyntax, "first tag");
}

TEST(ParseKeyRecord, VersionMustBeDkim1) {
  ExpectError("v=DKIM2; p=" + RsaP(1024), ErrorCode::kBadVersion, "DKIM1");
}

TEST(ParseKeyRecord, DuplicateTagIsRejected) {
  ExpectError("k=rsa; k=rsa; p=" + RsaP(1024), ErrorCode::kDuplicateTag, "duplicate tag 'k'");
}

TEST(ParseKeyRecord, HashListRestrictsHashes) {
  auto key = ParseKeyRecord("h=sha1; p=" + RsaP(1024));
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->AllowsHash(HashAlgorithm::kSha256));
  EXPECT_TRUE(key->AllowsHash(HashAlgorithm::kSha1));

  key = ParseKeyRecord("h=sha1 : sha256; p=" + RsaP(1024));
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->AllowsHash(HashAlgorithm::kSha256));
}

TEST(ParseKeyRecord, ServiceMustIncludeEmailOrStar) {
  auto key = ParseKeyRecord("s=foo; p=" + RsaP(1024));
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->AllowsEmail());
  EXPECT_TRUE(ParseKeyRecord("s=email; p=" + RsaP(1024))->AllowsEmail());
  EXPECT_TRUE(ParseKeyRecord("s=foo:*; p=" + RsaP(1024))->AllowsEmail());
}

TEST(ParseKeyRecord, FlagsAreRead) {
  auto key = ParseKeyRecord("t=y:s; p=" + RsaP(1024));
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->testing);
  EXPECT_TRUE(key->strict_identity);
  key = ParseKeyRecord("t=s; p=" + RsaP(1024));
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->testing);
  EXPECT_TRUE(key->strict_identity);
  // Unknown flags are ignored (§3.6.1: "Unrecognized flags MUST be ignored").
  EXPECT_TRUE(ParseKeyRecord("t=q:y; p=" + RsaP(1024)));
}

TEST(DecodePublicKey, Ed25519NeedsExactly32Bytes) {
  auto key = DecodePublicKey(KeyType::kEd25519, std::string(31, 'k'));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kBadKey);
}

// Signs `digest` with `key` the way a DKIM signer does (RFC 6376 §3.3.1, RFC 8463 §3).
std::string SignDigestForTest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest) {
  const auto* tbs = reinterpret_cast<const unsigned char*>(digest.data());
  size_t size = 0;
  if (algorithm == Algorithm::kEd25519Sha256) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx, nullptr, &size, tbs, digest.size());
    std::string sig(size, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size, tbs, digest.size());
    EVP_MD_CTX_free(ctx);
    return sig;
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  EVP_PKEY_sign_init(ctx);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
  EVP_PKEY_CTX_set_signature_md(
      ctx, HashOf(algorithm) == HashAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256());
  EVP_PKEY_sign(ctx, nullptr, &size, tbs, digest.size());
  std::string sig(size, '\0');
  EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size, tbs, digest.size());
  EVP_PKEY_CTX_free(ctx);
  sig.resize(size);
  return sig;
}

TEST(VerifyDigest, AcceptsGoodAndRejectsAlteredRsaSignatures) {
  std::string digest = HashBytes(HashAlgorithm::kSha256, "header data");
  std::string sig = SignDigestForTest(RsaKey(1024), Algorithm::kRsaSha256, digest);
  EXPECT_TRUE(VerifyDigest(RsaKey(1024), Algorithm::kRsaSha256, digest, sig));
  std::string other = HashBytes(HashAlgorithm::kSha256, "header datA");
  EXPECT_FALSE(VerifyDigest(RsaKey(1024), Algorithm::kRsaSha256, other, sig));
  sig[10] = static_cast<char>(sig[10] ^ 1);
  EXPECT_FALSE(VerifyDigest(RsaKey(1024), Algorithm::kRsaSha256, digest, sig));
  EXPECT_FALSE(VerifyDigest(RsaKey(1024), Algorithm::kRsaSha256, digest, ""));
}

TEST(VerifyDigest, RsaSha1UsesSha1DigestInfo) {
  std::string digest = HashBytes(HashAlgorithm::kSha1, "header data");
  std::string sig = SignDigestForTest(RsaKey(1024), Algorithm::kRsaSha1, digest);
  EXPECT_TRUE(VerifyDigest(RsaKey(1024), Algorithm::kRsaSha1, digest, sig));
}

TEST(VerifyDigest, AcceptsGoodAndRejectsWrongKeyEd25519Signatures) {
  std::string digest = HashBytes(HashAlgorithm::kSha256, "header data");
  std::string sig = SignDigestForTest(Ed25519Key(), Algorithm::kEd25519Sha256, digest);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(VerifyDigest(Ed25519Key(), Algorithm::kEd25519Sha256, digest, sig));
  EXPECT_FALSE(VerifyDigest(Ed25519Key(1), Algorithm::kEd25519Sha256, digest, sig));
  EXPECT_FALSE(VerifyDigest(Ed25519Key(), Algorithm::kEd25519Sha256, digest, sig.substr(1)));
}

}  // namespace
}  // namespace kenin::verifier
