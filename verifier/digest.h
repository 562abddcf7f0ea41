// A small owner of an OpenSSL message-digest context: SHA-1 or SHA-256, fed in pieces.
// Not thread-safe; one per hash in progress.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "verifier/signature.h"

namespace kenin::verifier {

class Digest {
 public:
  explicit Digest(HashAlgorithm algorithm);
  void Update(std::string_view bytes);
  std::string Finish();  // REQUIRES: called once

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

std::string HashBytes(HashAlgorithm algorithm, std::string_view bytes);

}  // namespace kenin::verifier
