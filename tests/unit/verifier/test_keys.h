// Keys and key records for the verifier tests. Keys are generated with OpenSSL on first use
// and kept for the life of the test binary: RSA generation is the slow part of these tests,
// and a fixed key per size is all they need. Not thread-safe (tests run single-threaded).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <map>
#include <string>
#include <string_view>

#include "verifier/base64.h"
#include "verifier/key_record.h"

namespace kenin::testkeys {

// One RSA key per size, generated once. 512 bits is too small to be accepted, which is the
// point of the tests that use it.
inline EVP_PKEY* RsaKey(unsigned bits) {
  static std::map<unsigned, verifier::PkeyPtr> keys;
  auto& key = keys[bits];
  if (!key) key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  return key.get();
}

// `index` picks one of several distinct Ed25519 keys (for "wrong key" cases).
inline EVP_PKEY* Ed25519Key(int index = 0) {
  static std::map<int, verifier::PkeyPtr> keys;
  auto& key = keys[index];
  if (!key) key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  return key.get();
}

// DER SubjectPublicKeyInfo: what RFC 6376 §3.6.1 p= carries for RSA.
inline std::string SpkiDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

// RFC 8463 §4: an Ed25519 p= is the raw 32-octet key, not SPKI.
inline std::string Ed25519Raw(EVP_PKEY* key) {
  std::string out(32, '\0');
  size_t size = out.size();
  EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &size);
  out.resize(size);
  return out;
}

// The TXT text a domain would publish for `key`; `extra` goes between k= and p=.
inline std::string KeyRecordText(EVP_PKEY* key, std::string_view extra = "") {
  bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  std::string p = verifier::EncodeBase64(ed ? Ed25519Raw(key) : SpkiDer(key));
  return std::string("v=DKIM1; k=") + (ed ? "ed25519" : "rsa") + "; " + std::string(extra) +
         "p=" + p;
}

// A master-file TXT line for `name`, the text split into quoted strings of at most 255
// octets (RFC 1035 §3.3: a <character-string> holds at most 255 octets).
inline std::string ZoneTxtLine(std::string_view name, std::string_view text) {
  std::string line = std::string(name) + " 300 IN TXT";
  for (size_t i = 0; i < text.size(); i += 255) {
    line += " \"" + std::string(text.substr(i, 255)) + "\"";
  }
  return line + "\n";
}

}  // namespace kenin::testkeys
