#include "verifier/digest.h"

#include <stdexcept>

namespace kenin::verifier {

Digest::Digest(HashAlgorithm algorithm) : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  const EVP_MD* md = algorithm == HashAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256();
  // Failure here means OpenSSL itself is broken (no memory, no default provider): not input.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md, nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex failed");
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
