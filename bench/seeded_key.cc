// RSA: p and q are the first primes at or after seeded odd starting points of bits/2 bits with
// the top two bits set (so n has exactly `bits` bits), skipping any p with e | p-1; then
// d = e^-1 mod lcm(p-1, q-1) and the CRT values, handed to OpenSSL as a key pair.
// BN_check_prime's Miller-Rabin bases are random, but its verdict is not in practice (error
// below 2^-128), so the primes found depend only on the stream.
#include "bench/seeded_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <memory>
#include <vector>

namespace kenin::bench {
namespace {

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct BnCtxDeleter {
  void operator()(BN_CTX* ctx) const { BN_CTX_free(ctx); }
};
constexpr unsigned long kPublicExponent = 65537;

std::vector<unsigned char> Octets(std::mt19937_64& rng, size_t count) {
  std::vector<unsigned char> out(count);
  for (unsigned char& octet : out) octet = static_cast<unsigned char>(rng() >> 56);
  return out;
}

// The first prime p >= a seeded start of `bits` bits (top two bits set) with e not dividing p-1.
BnPtr SeededPrime(std::mt19937_64& rng, int bits, BN_CTX* ctx) {
  std::vector<unsigned char> start = Octets(rng, static_cast<size_t>(bits) / 8);
  start.front() |= 0xc0;
  start.back() |= 0x01;
  BnPtr p(BN_bin2bn(start.data(), static_cast<int>(start.size()), nullptr));
  if (!p) return nullptr;
  for (;;) {
    // p-1 divisible by e would leave e without an inverse: step over such p.
    if (BN_mod_word(p.get(), kPublicExponent) != 1 && BN_check_prime(p.get(), ctx, nullptr) == 1) {
      return p;
    }
    if (BN_add_word(p.get(), 2) != 1) return nullptr;
  }
}

std::optional<verifier::PkeyPtr> SeededRsa(std::mt19937_64& rng, int bits) {
  std::unique_ptr<BN_CTX, BnCtxDeleter> ctx(BN_CTX_new());
  BnPtr p = SeededPrime(rng, bits / 2, ctx.get());
  BnPtr q = SeededPrime(rng, bits / 2, ctx.get());
  if (!p || !q || BN_cmp(p.get(), q.get()) == 0) return std::nullopt;
  BnPtr n(BN_new()), e(BN_new()), d(BN_new()), p1(BN_new()), q1(BN_new()), gcd(BN_new()),
      lcm(BN_new()), dp(BN_new()), dq(BN_new()), qinv(BN_new());
  bool ok = n && e && d && p1 && q1 && gcd && lcm && dp && dq && qinv &&
            BN_set_word(e.get(), kPublicExponent) == 1 &&
            BN_mul(n.get(), p.get(), q.get(), ctx.get()) == 1 &&
            BN_sub(p1.get(), p.get(), BN_value_one()) == 1 &&
            BN_sub(q1.get(), q.get(), BN_value_one()) == 1 &&
            BN_gcd(gcd.get(), p1.get(), q1.get(), ctx.get()) == 1 &&
            BN_mul(lcm.get(), p1.get(), q1.get(), ctx.get()) == 1 &&
            BN_div(lcm.get(), nullptr, lcm.get(), gcd.get(), ctx.get()) == 1 &&
            BN_mod_inverse(d.get(), e.get(), lcm.get(), ctx.get()) != nullptr &&
            BN_mod(dp.get(), d.get(), p1.get(), ctx.get()) == 1 &&
            BN_mod(dq.get(), d.get(), q1.get(), ctx.get()) == 1 &&
            BN_mod_inverse(qinv.get(), q.get(), p.get(), ctx.get()) != nullptr;
  if (!ok) return std::nullopt;

  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        &OSSL_PARAM_BLD_free);
  if (!build) return std::nullopt;
  for (auto [name, value] : {std::pair{OSSL_PKEY_PARAM_RSA_N, n.get()},
                             {OSSL_PKEY_PARAM_RSA_E, e.get()},
                             {OSSL_PKEY_PARAM_RSA_D, d.get()},
                             {OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()},
                             {OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()},
                             {OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()},
                             {OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()},
                             {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get()}}) {
    if (OSSL_PARAM_BLD_push_BN(build.get(), name, value) != 1) return std::nullopt;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), &OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return std::nullopt;
  }
  return verifier::PkeyPtr(key);
}

}  // namespace

std::optional<verifier::PkeyPtr> SeededKey(KeyAlg alg, std::mt19937_64& rng) {
  switch (alg) {
    case KeyAlg::kRsa2048:
      return SeededRsa(rng, 2048);
    case KeyAlg::kRsa1024:
      return SeededRsa(rng, 1024);
    case KeyAlg::kEd25519: {
      // RFC 8032 §5.1.5: any 32 octets are an Ed25519 private key.
      std::vector<unsigned char> secret = Octets(rng, 32);
      EVP_PKEY* key =
          EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, secret.data(), secret.size());
      if (key == nullptr) return std::nullopt;
      return verifier::PkeyPtr(key);
    }
  }
  return std::nullopt;
}

}  // namespace kenin::bench
