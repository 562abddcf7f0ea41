// ParseKeyRecord (RFC 6376 §3.6.1, RFC 8463 §4, RFC 8301 §3.2) on any TXT record text.
// Properties: an accepted record holds a decoded key of the type k= names, within the size
// bounds; the verifier's two steps (decode at any size once per DNS answer, then CheckKeySize
// per verifier) accept exactly what the one-step parse accepts, with the same error code;
// every error detail is printable and bounded. And, reading the raw input as DER: an RSA key
// decoded through kenin's SubjectPublicKeyInfo unwrap (verifier/rsa_spki.h) is the key
// OpenSSL's own decoders (d2i_PUBKEY, d2i_PublicKey) read from the same octets, and a key in
// the DER OpenSSL itself writes is always decoded.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_check.h"
#include "verifier/key_record.h"

using kenin::fuzz::Check;
namespace v = kenin::verifier;

namespace {

// What OpenSSL's decoders make of `der` as DecodePublicKey accepts it: a SubjectPublicKeyInfo
// holding an RSA key, else a bare PKCS#1 RSAPublicKey, in either case filling all of `der`.
v::PkeyPtr OpenSslRsaKey(std::string_view der) {
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  const auto size = static_cast<long>(der.size());
  const unsigned char* cursor = data;
  v::PkeyPtr key(d2i_PUBKEY(nullptr, &cursor, size));
  if (key && cursor == data + size && EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA) return key;
  cursor = data;
  key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, size));
  if (key && cursor == data + size) return key;
  return nullptr;
}

// True when OpenSSL writes `key` as exactly `der` (SPKI or PKCS#1).
bool IsOpenSslEncoding(EVP_PKEY* key, std::string_view der) {
  for (auto encode : {&i2d_PUBKEY, &i2d_PublicKey}) {
    unsigned char* out = nullptr;
    const int size = encode(key, &out);
    const bool same =
        size > 0 &&
        std::string_view(reinterpret_cast<char*>(out), static_cast<size_t>(size)) == der;
    OPENSSL_free(out);
    if (same) return true;
  }
  return false;
}

void CheckRsaDecodeAgainstOpenSsl(std::string_view der) {
  if (der.empty() || der.front() != 0x30) return;  // both decoders want a SEQUENCE first
  auto ours = v::DecodePublicKey(v::KeyType::kRsa, der);
  v::PkeyPtr theirs = OpenSslRsaKey(der);
  if (ours) {
    Check(theirs != nullptr && EVP_PKEY_eq(ours->get(), theirs.get()) == 1,
          "an RSA key decoded here is the key OpenSSL decodes", der);
  } else if (theirs) {
    Check(!IsOpenSslEncoding(theirs.get(), der), "a key in OpenSSL's own DER is decoded", der);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  CheckRsaDecodeAgainstOpenSsl(text);
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
