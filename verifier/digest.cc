#include "verifier/digest.h"

#include <stdexcept>

namespace kenin::verifier {
namespace {

// The implementation, fetched from the provider once per process. EVP_sha256() only names
// the algorithm: OpenSSL 3 looks the implementation up in its provider store (a lock and a
// hash lookup) on every EVP_DigestInit_ex given it, about 200 ns, and a message needs
// several digests. Fetched objects are thread-safe to share; they live until exit.
const EVP_MD* FetchedDigest(HashAlgorithm algorithm) {
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return algorithm == HashAlgorithm::kSha1 ? sha1 : sha256;
}

}  // namespace

Digest::Digest(HashAlgorithm algorithm) : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  const EVP_MD* md = FetchedDigest(algorithm);
  // Failure here means OpenSSL itself is broken (no memory, no default provider): not input.
  if (!ctx_ || md == nullptr || EVP_DigestInit_ex2(ctx_.get(), md, nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex2 failed");
  }
}

void Digest::Update(std::string_view bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

std::string Digest::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx_.get(), out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::string HashBytes(HashAlgorithm algorithm, std::string_view bytes) {
  Digest digest(algorithm);
  digest.Update(bytes);
  return digest.Finish();
}

}  // namespace kenin::verifier
