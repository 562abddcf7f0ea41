#include "tools/keys.h"

#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "verifier/base64.h"

namespace kenin::tools {
namespace {

constexpr size_t kMaxTxtString = 255;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

}  // namespace

std::optional<verifier::PkeyPtr> GenerateKey(KeyKind kind, unsigned bits) {
  EVP_PKEY* key = kind == KeyKind::kEd25519
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  if (key == nullptr) return std::nullopt;
  return verifier::PkeyPtr(key);
}

std::string PrivateKeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::optional<verifier::PkeyPtr> LoadPrivateKey(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return std::nullopt;
  return verifier::PkeyPtr(key);
}

std::string PublicKeyRecord(EVP_PKEY* key) {
  std::string bytes;
  std::string type;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
    // RFC 8463 §4: the raw 32-byte public key.
    size_t size = 32;
    bytes.resize(size);
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(bytes.data()), &size);
    bytes.resize(size);
    type = "ed25519";
  } else {
    // RFC 6376 §3.6.1: SubjectPublicKeyInfo DER.
    int size = i2d_PUBKEY(key, nullptr);
    bytes.resize(static_cast<size_t>(size));
    auto* cursor = reinterpret_cast<unsigned char*>(bytes.data());
    i2d_PUBKEY(key, &cursor);
    type = "rsa";
  }
  return "v=DKIM1; k=" + type + "; p=" + verifier::EncodeBase64(bytes);
}

std::vector<std::string> SplitTxtStrings(std::string_view value) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < value.size(); i += kMaxTxtString) {
    parts.emplace_back(value.substr(i, kMaxTxtString));
  }
  if (parts.empty()) parts.emplace_back();
  return parts;
}

std::string ZoneLine(std::string_view selector, std::string_view domain, std::string_view value) {
  std::string line = std::string(selector) + "._domainkey." + std::string(domain) + ". 3600 IN TXT";
  for (const std::string& part : SplitTxtStrings(value)) {
    line += " \"";
    for (char c : part) {
      if (c == '"' || c == '\\') line += '\\';
      line += c;
    }
    line += '"';
  }
  return line;
}

}  // namespace kenin::tools
