#include "verifier/key_record.h"

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "verifier/base64.h"
#include "verifier/rsa_spki.h"
#include "verifier/tag_list.h"

namespace kenin::verifier {
namespace {

constexpr size_t kEd25519KeyBytes = 32;  // RFC 8463 §4: the raw key, not SPKI

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

// RFC 6376 §3.3.1: RSASSA-PKCS1-v1_5 with `md`. Null when OpenSSL cannot set it up.
PkeyCtxPtr RsaVerifyContext(EVP_PKEY* key, const EVP_MD* md) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    ctx.reset();
  }
  return ctx;
}

bool RsaVerify(EVP_PKEY_CTX* ctx, std::string_view digest, std::string_view signature) {
  return EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                         digest.size()) == 1;
}

// Key tag lists with empty items (a trailing ':') dropped.
std::vector<std::string> SplitColons(std::string_view text) {
  std::vector<std::string> items = SplitColonList(text);
  std::erase(items, std::string());
  return items;
}

}  // namespace

Result<void> CheckKeySize(const KeyRecord& record, const KeyOptions& options) {
  if (record.type != KeyType::kRsa) return {};
  if (record.bits < options.min_rsa_bits) {
    return Fail(ErrorCode::kKeyTooSmall, std::to_string(record.bits) +
                                             "-bit RSA key is too small (RFC 8301)");
  }
  if (record.bits > options.max_rsa_bits) {
    return Fail(ErrorCode::kKeyTooLarge, std::to_string(record.bits) + "-bit RSA key is too large");
  }
  return {};
}


bool KeyRecord::AllowsHash(HashAlgorithm h) const {
  if (hashes.empty()) return true;
  for (const std::string& name : hashes) {
    if (name == ToString(h)) return true;
  }
  return false;
}

bool KeyRecord::AllowsEmail() const {
  for (const std::string& service : services) {
    if (service == "*" || service == "email") return true;
  }
  return false;
}

Result<PkeyPtr> DecodePublicKey(KeyType type, std::string_view bytes) {
  if (type == KeyType::kEd25519) {
    if (bytes.size() != kEd25519KeyBytes) {
      return Fail(ErrorCode::kBadKey, "ed25519 key must be 32 raw bytes, got " +
                                          std::to_string(bytes.size()));
    }
    PkeyPtr key(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()),
        bytes.size()));
    if (!key) return Fail(ErrorCode::kBadKey, "ed25519 key does not decode");
    return key;
  }
  // RFC 6376 §3.6.1: p= is an RSA SubjectPublicKeyInfo. Some publishers put the bare PKCS#1
  // RSAPublicKey there; it names the same key, so accept it too. Either way the RSAPublicKey
  // is read by d2i_PublicKey, about 100 times cheaper than d2i_PUBKEY (verifier/rsa_spki.h).
  const std::string_view pkcs1 = RsaPublicKeyInSpki(bytes).value_or(bytes);
  const auto* data = reinterpret_cast<const unsigned char*>(pkcs1.data());
  const auto size = static_cast<long>(pkcs1.size());
  const unsigned char* cursor = data;
  PkeyPtr key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, size));
  if (key && cursor != data + size) key.reset();  // something after the key
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Fail(ErrorCode::kBadKey, "p= is not an RSA public key");
  }
  return key;
}

Result<KeyRecord> ParseKeyRecord(std::string_view txt, const KeyOptions& options) {
  auto parsed = TagList::Parse(txt);
  if (!parsed) return tl::unexpected(parsed.error());
  const TagList& tags = *parsed;
  // RFC 6376 §3.6.1 v=: if present it MUST be the first tag and MUST be "DKIM1".
  if (const Tag* v = tags.FindTag("v")) {
    if (v != &tags.tags().front()) return Fail(ErrorCode::kSyntax, "key v= is not the first tag");
    if (v->value != "DKIM1") return Fail(ErrorCode::kBadVersion, "key v= is not DKIM1");
  }
  KeyRecord record;
  if (auto k = tags.Find("k")) {
    if (*k == "rsa") {
      record.type = KeyType::kRsa;
    } else if (*k == "ed25519") {
      record.type = KeyType::kEd25519;
    } else {
      return Fail(ErrorCode::kUnsupportedAlgorithm, "unknown key type k=" + Excerpt(*k));
    }
  }
  if (auto h = tags.Find("h")) record.hashes = SplitColons(*h);
  record.services = tags.Find("s") ? SplitColons(*tags.Find("s")) : std::vector<std::string>{"*"};
  if (auto t = tags.Find("t")) {
    for (const std::string& flag : SplitColons(*t)) {
      if (flag == "y") record.testing = true;
      if (flag == "s") record.strict_identity = true;
    }
  }
  auto p = tags.Find("p");
  if (!p) return Fail(ErrorCode::kMissingTag, "key record has no p=");
  // RFC 6376 §3.6.1: an empty p= means the key has been revoked.
  if (StripFws(*p).empty()) return Fail(ErrorCode::kKeyRevoked, "key revoked");
  auto bytes = DecodeBase64(*p);
  if (!bytes) return Fail(ErrorCode::kBadBase64, "key p= is not valid base64");
  auto key = DecodePublicKey(record.type, *bytes);
  if (!key) return tl::unexpected(key.error());
  record.bits = static_cast<unsigned>(EVP_PKEY_get_bits(key->get()));
  if (auto ok = CheckKeySize(record, options); !ok) return tl::unexpected(ok.error());
  record.key = std::shared_ptr<EVP_PKEY>(key->release(), PkeyDeleter{});
  if (record.type == KeyType::kRsa) {
    // Without it VerifyDigest() builds a context per signature: slower, not wrong.
    record.rsa_sha256_verify = RsaVerifyContext(record.key.get(), EVP_sha256());
  }
  return record;
}

bool VerifyDigest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest,
                  std::string_view signature) {
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  const auto* tbs = reinterpret_cast<const unsigned char*>(digest.data());
  if (algorithm == Algorithm::kEd25519Sha256) {
    // RFC 8463 §3: PureEdDSA over the SHA-256 digest of the canonical header data.
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) return false;
    return EVP_DigestVerify(ctx.get(), sig, signature.size(), tbs, digest.size()) == 1;
  }
  // RFC 6376 §3.3.1: RSASSA-PKCS1-v1_5 over the digest.
  const EVP_MD* md = HashOf(algorithm) == HashAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256();
  PkeyCtxPtr ctx = RsaVerifyContext(key, md);
  return ctx && RsaVerify(ctx.get(), digest, signature);
}

bool VerifyDigest(const KeyRecord& record, Algorithm algorithm, std::string_view digest,
                  std::string_view signature) {
  if (algorithm == Algorithm::kRsaSha256 && record.rsa_sha256_verify) {
    // A copy per signature: a context is used by one thread; the prepared one is only read.
    PkeyCtxPtr ctx(EVP_PKEY_CTX_dup(record.rsa_sha256_verify.get()), &EVP_PKEY_CTX_free);
    if (ctx) return RsaVerify(ctx.get(), digest, signature);
  }
  return VerifyDigest(record.key.get(), algorithm, digest, signature);
}

}  // namespace kenin::verifier
