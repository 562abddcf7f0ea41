// ParseKeyRecord (RFC 6376 §3.6.1, RFC 8463 §4, RFC 8301 §3.2) on any TXT record text.
// Properties: an accepted record holds a decoded key of the type k= names, within the size
// bounds; the verifier's two steps (decode at any size once per DNS answer, then CheckKeySize
// per verifier) accept exactly what the one-step parse accepts, with the same error code;
// every error detail is printable and bounded.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_check.h"
#include "verifier/key_record.h"

using kenin::fuzz::Check;
namespace v = kenin::verifier;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  const v::KeyOptions options;
  auto record = v::ParseKeyRecord(text, options);
  auto any_size = v::ParseKeyRecord(text, {.min_rsa_bits = 0, .max_rsa_bits = UINT32_MAX});
  v::Result<void> two_step =
      any_size ? v::CheckKeySize(*any_size, options) : tl::unexpected(any_size.error());
  Check(record.has_value() == two_step.has_value(), "one-step and two-step parse agree", text);
  if (!record) {
    kenin::fuzz::CheckReason(record.error().detail, "ParseKeyRecord");
    Check(record.error().code == two_step.error().code, "same error code both ways",
          record.error().detail);
    return 0;
  }
  Check(record->key != nullptr && record->bits > 0, "a key is decoded");
  const int base = EVP_PKEY_get_base_id(record->key.get());
  if (record->type == v::KeyType::kRsa) {
    Check(base == EVP_PKEY_RSA, "k=rsa holds an RSA key");
    Check(record->bits >= options.min_rsa_bits && record->bits <= options.max_rsa_bits,
          "RSA size within bounds");
  } else {
    Check(base == EVP_PKEY_ED25519, "k=ed25519 holds an Ed25519 key");
  }
  return 0;
}
