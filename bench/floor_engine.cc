#include "bench/floor_engine.h"

#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <tuple>

#include "tests/unit/verifier/body_reference.h"
#include "verifier/digest.h"
#include "verifier/header_hash.h"
#include "verifier/key_record.h"
#include "verifier/signature.h"

namespace kenin::bench {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "floor: %s\n", what.c_str());
  std::abort();
}

}  // namespace

// One decoded key with its verify context: RSA PKCS#1 v1.5 with SHA-256 set once, or an
// Ed25519 DigestVerify context that OpenSSL 3 lets a one-shot EVP_DigestVerify reuse (what
// `openssl speed ed25519` times).
struct FloorEngine::Key {
  std::shared_ptr<EVP_PKEY> pkey;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> rsa{nullptr, &EVP_PKEY_CTX_free};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ed25519{nullptr, &EVP_MD_CTX_free};
};

FloorEngine::FloorEngine(dns::Resolver& zone)
    : zone_(zone),
      sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free),
      md_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  if (!sha256_ || !md_) Die("OpenSSL allocation failed");
}

FloorEngine::~FloorEngine() = default;

size_t FloorEngine::KeySlot(const std::string& name) {
  if (auto it = slots_.find(name); it != slots_.end()) return it->second;
  auto answer = zone_.Lookup(dns::Question{name, dns::RecordType::kTxt}).get();
  if (!answer || answer->records.empty()) Die("no key record at " + name);
  std::string txt;
  for (const std::string& s : answer->records.front().strings) txt += s;
  auto record = verifier::ParseKeyRecord(txt);
  if (!record) Die("key record at " + name + " does not parse: " + record.error().detail);

  auto key = std::make_unique<Key>();
  key->pkey = record->key;
  if (record->type == verifier::KeyType::kEd25519) {
    key->ed25519.reset(EVP_MD_CTX_new());
    if (!key->ed25519 ||
        EVP_DigestVerifyInit(key->ed25519.get(), nullptr, nullptr, nullptr, key->pkey.get()) != 1) {
      Die("Ed25519 verify context setup failed");
    }
  } else {
    key->rsa.reset(EVP_PKEY_CTX_new(key->pkey.get(), nullptr));
    if (!key->rsa || EVP_PKEY_verify_init(key->rsa.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(key->rsa.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(key->rsa.get(), sha256_.get()) != 1) {
      Die("RSA verify context setup failed");
    }
  }
  keys_.push_back(std::move(key));
  slots_.emplace(name, keys_.size() - 1);
  return keys_.size() - 1;
}

FloorMessage FloorEngine::Prepare(const CorpusMessage& message) {
  FloorMessage m;
  // (body canonicalization, l=) of each entry in m.bodies.
  std::vector<std::tuple<verifier::Canonicalization, std::optional<uint64_t>>> hashed;
  for (const verifier::HeaderField& field : message.headers) {
    if (!verifier::FieldNameEquals(field.name, "DKIM-Signature")) continue;
    auto sig = verifier::ParseSignature(field.value);
    if (!sig) Die("corpus signature does not parse: " + sig.error().detail);
    if (sig->algorithm == verifier::Algorithm::kRsaSha1) Die("rsa-sha1 has no floor here");

    const auto body_key = std::make_tuple(sig->body_canon, sig->body_length);
    if (std::find(hashed.begin(), hashed.end(), body_key) == hashed.end()) {
      std::string canonical =
          verifier::reference::ReferenceCanonicalBody(message.body, sig->body_canon);
      if (sig->body_length && *sig->body_length < canonical.size()) {
        canonical.resize(static_cast<size_t>(*sig->body_length));
      }
      if (verifier::HashBytes(verifier::HashAlgorithm::kSha256, canonical) != sig->body_hash) {
        Die("corpus body hash does not match bh=");
      }
      hashed.push_back(body_key);
      m.bodies.push_back(std::move(canonical));
    }
    FloorSignature& s = m.signatures.emplace_back();
    s.key = KeySlot(sig->selector + "._domainkey." + sig->domain);
    s.ed25519 = sig->algorithm == verifier::Algorithm::kEd25519Sha256;
    s.header_data = verifier::CanonicalHeaderData(
        message.headers, sig->signed_headers, sig->header_canon, field.name, sig->value_without_b);
    s.signature = sig->signature;
  }
  if (m.signatures.empty()) Die("corpus message has no DKIM-Signature");
  if (!Run(m)) Die("a corpus signature does not verify");
  return m;
}

bool FloorEngine::Run(const FloorMessage& m) {
  // The body digests are not compared: Prepare() checked them. OpenSSL calls are opaque to
  // the compiler, so the work is done all the same.
  unsigned char body_digest[EVP_MAX_MD_SIZE];
  for (const std::string& body : m.bodies) Sha256(body, body_digest);
  bool ok = true;
  for (const FloorSignature& s : m.signatures) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    Sha256(s.header_data, digest);
    const auto* sig = reinterpret_cast<const unsigned char*>(s.signature.data());
    Key& key = *keys_[s.key];
    // RFC 8463 §3: Ed25519 over the 32-octet digest; RFC 6376 §3.3.1: RSA PKCS#1 over it.
    ok = (s.ed25519 ? EVP_DigestVerify(key.ed25519.get(), sig, s.signature.size(), digest, 32)
                    : EVP_PKEY_verify(key.rsa.get(), sig, s.signature.size(), digest, 32)) == 1 &&
         ok;
  }
  return ok;
}

bool FloorEngine::RunAll(const std::vector<FloorMessage>& messages) {
  bool ok = true;
  for (const FloorMessage& m : messages) ok = Run(m) && ok;
  return ok;
}

void FloorEngine::Sha256(std::string_view bytes, unsigned char* out) {
  unsigned int size = 0;
  EVP_DigestInit_ex(md_.get(), sha256_.get(), nullptr);
  EVP_DigestUpdate(md_.get(), bytes.data(), bytes.size());
  EVP_DigestFinal_ex(md_.get(), out, &size);
}

}  // namespace kenin::bench
