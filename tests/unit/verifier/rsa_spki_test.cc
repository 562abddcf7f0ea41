// The SubjectPublicKeyInfo frame around a DKIM RSA key (verifier/rsa_spki.h), checked against
// OpenSSL's own encoder and decoder: what it unwraps is the key OpenSSL would decode, and
// anything that is not exactly one rsaEncryption SubjectPublicKeyInfo is refused.
#include "verifier/rsa_spki.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string>

#include "tests/unit/verifier/test_keys.h"
#include "verifier/key_record.h"

namespace kenin::verifier {
namespace {

using testkeys::SpkiDer;

std::string Pkcs1Der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int size = i2d_PublicKey(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

// What d2i_PUBKEY, the decoder this one stands in for, makes of `der`.
PkeyPtr OpenSslDecoded(const std::string& der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  return PkeyPtr(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
}

TEST(RsaPublicKeyInSpki, UnwrapsTheKeyOpenSslEncoded) {
  for (unsigned bits : {1024u, 2048u, 4096u}) {
    EVP_PKEY* key = testkeys::RsaKey(bits);
    const std::string spki = SpkiDer(key);
    const std::optional<std::string_view> inner = RsaPublicKeyInSpki(spki);
    ASSERT_TRUE(inner) << bits;
    EXPECT_EQ(*inner, Pkcs1Der(key)) << bits;
    auto decoded = DecodePublicKey(KeyType::kRsa, spki);
    ASSERT_TRUE(decoded) << decoded.error().detail;
    EXPECT_EQ(EVP_PKEY_eq(decoded->get(), key), 1) << bits;
    EXPECT_EQ(EVP_PKEY_eq(decoded->get(), OpenSslDecoded(spki).get()), 1) << bits;
    EXPECT_EQ(EVP_PKEY_get_bits(decoded->get()), static_cast<int>(bits));
  }
}

TEST(RsaPublicKeyInSpki, EveryTruncationAndAnythingAfterIsRefused) {
  const std::string spki = SpkiDer(testkeys::RsaKey(1024));
  for (size_t size = 0; size < spki.size(); ++size) {
    EXPECT_FALSE(RsaPublicKeyInSpki(spki.substr(0, size))) << size;
    EXPECT_FALSE(DecodePublicKey(KeyType::kRsa, spki.substr(0, size))) << size;
  }
  EXPECT_FALSE(RsaPublicKeyInSpki(spki + '\0'));
  EXPECT_FALSE(DecodePublicKey(KeyType::kRsa, spki + '\0'));
}

TEST(RsaPublicKeyInSpki, OtherAlgorithmsAreRefused) {
  EXPECT_FALSE(RsaPublicKeyInSpki(SpkiDer(testkeys::Ed25519Key())));
  EVP_PKEY* pss = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr);
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 1024), 1);
  ASSERT_EQ(EVP_PKEY_generate(ctx, &pss), 1);
  EVP_PKEY_CTX_free(ctx);
  const std::string pss_spki = SpkiDer(pss);
  EXPECT_FALSE(RsaPublicKeyInSpki(pss_spki));  // id-RSASSA-PSS, not rsaEncryption
  EXPECT_FALSE(DecodePublicKey(KeyType::kRsa, pss_spki));
  EVP_PKEY_free(pss);
}

TEST(RsaPublicKeyInSpki, UnusedBitsOrBytesAfterTheKeyAreRefused) {
  const std::string spki = SpkiDer(testkeys::RsaKey(1024));
  // The BIT STRING is the last element: its content starts with the unused-bits octet.
  const std::string pkcs1 = Pkcs1Der(testkeys::RsaKey(1024));
  const size_t unused_bits_at = spki.size() - pkcs1.size() - 1;
  ASSERT_EQ(spki[unused_bits_at], '\0');
  std::string unused = spki;
  unused[unused_bits_at] = '\x01';
  EXPECT_FALSE(RsaPublicKeyInSpki(unused));
  EXPECT_FALSE(DecodePublicKey(KeyType::kRsa, unused));
}

TEST(RsaPublicKeyInSpki, ABarePkcs1KeyIsNotAnSpkiButStillAKey) {
  EVP_PKEY* key = testkeys::RsaKey(2048);
  const std::string pkcs1 = Pkcs1Der(key);
  EXPECT_FALSE(RsaPublicKeyInSpki(pkcs1));
  auto decoded = DecodePublicKey(KeyType::kRsa, pkcs1);  // RFC 6376 §3.6.1 leniency, as before
  ASSERT_TRUE(decoded);
  EXPECT_EQ(EVP_PKEY_eq(decoded->get(), key), 1);
}

}  // namespace
}  // namespace kenin::verifier
