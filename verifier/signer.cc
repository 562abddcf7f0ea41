#include "verifier/signer.h"

#include <memory>

#include <openssl/rsa.h>

#include "verifier/base64.h"
#include "verifier/body_hasher.h"
#include "verifier/digest.h"
#include "verifier/header_hash.h"

namespace kenin::verifier {
namespace {

constexpr size_t kFoldWidth = 72;

std::string_view AlgorithmName(Algorithm a) {
  switch (a) {
    case Algorithm::kRsaSha256: return "rsa-sha256";
    case Algorithm::kEd25519Sha256: return "ed25519-sha256";
    case Algorithm::kRsaSha1: return "rsa-sha1";
  }
  return "rsa-sha256";
}

// Folds base64 so no line of the field grows past kFoldWidth; FWS inside b= and bh= is
// ignored by verifiers (RFC 6376 §3.5).
std::string FoldBase64(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += kFoldWidth) {
    if (i > 0) out += "\r\n\t";
    out.append(text.substr(i, kFoldWidth));
  }
  return out;
}

}  // namespace

std::optional<std::string> SignDigest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest) {
  const auto* tbs = reinterpret_cast<const unsigned char*>(digest.data());
  size_t size = 0;
  if (algorithm == Algorithm::kEd25519Sha256) {
    // RFC 8463 §3: Ed25519 signs the SHA-256 digest, not the data itself.
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) return std::nullopt;
    if (EVP_DigestSign(ctx.get(), nullptr, &size, tbs, digest.size()) != 1) return std::nullopt;
    std::string sig(size, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size, tbs,
                       digest.size()) != 1) {
      return std::nullopt;
    }
    sig.resize(size);
    return sig;
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key, nullptr),
                                                                 &EVP_PKEY_CTX_free);
  const EVP_MD* md = algorithm == Algorithm::kRsaSha1 ? EVP_sha1() : EVP_sha256();
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &size, tbs, digest.size()) != 1) {
    return std::nullopt;
  }
  std::string sig(size, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size, tbs,
                    digest.size()) != 1) {
    return std::nullopt;
  }
  sig.resize(size);
  return sig;
}

namespace {

std::vector<std::string> ChooseHeaders(const SignRequest& request,
                                       const std::vector<HeaderField>& headers) {
  if (!request.signed_headers.empty()) return request.signed_headers;
  std::vector<std::string> chosen;
  for (const std::string& name : DefaultSignedHeaders()) {
    for (const HeaderField& field : headers) {
      if (FieldNameEquals(field.name, name)) chosen.push_back(name);
    }
  }
  return chosen;
}

}  // namespace

const std::vector<std::string>& DefaultSignedHeaders() {
  static const std::vector<std::string> kNames = {
      "from", "to", "cc", "subject", "date", "message-id", "reply-to", "in-reply-to",
      "references", "mime-version", "content-type", "content-transfer-encoding"};
  return kNames;
}

Result<std::string> SignMessage(const SignRequest& request, EVP_PKEY* private_key,
                                const std::vector<HeaderField>& headers, std::string_view body) {
  if (request.domain.empty() || request.selector.empty()) {
    return Fail(ErrorCode::kSyntax, "signing needs a domain and a selector");
  }
  bool is_ed25519 = EVP_PKEY_get_base_id(private_key) == EVP_PKEY_ED25519;
  if (is_ed25519 != (KeyTypeOf(request.algorithm) == KeyType::kEd25519)) {
    return Fail(ErrorCode::kBadKey, "private key type does not match the algorithm");
  }
  BodyHasher hasher(request.body_canon, HashOf(request.algorithm), std::nullopt);
  hasher.Update(body);
  std::string body_hash = hasher.Finish();

  std::vector<std::string> names = ChooseHeaders(request, headers);
  std::string h;
  for (const std::string& name : names) h += (h.empty() ? "" : ":") + name;

  std::string value = " v=1; a=" + std::string(AlgorithmName(request.algorithm)) +
                      "; c=" + std::string(ToString(request.header_canon)) + "/" +
                      std::string(ToString(request.body_canon)) + "; d=" + request.domain +
                      "; s=" + request.selector + ";";
  if (request.identity) value += " i=" + *request.identity + ";";
  if (request.timestamp) value += " t=" + std::to_string(*request.timestamp) + ";";
  if (request.expiration) value += " x=" + std::to_string(*request.expiration) + ";";
  if (request.body_length) value += " l=" + std::to_string(hasher.canonical_length()) + ";";
  value += "\r\n\th=" + h + ";\r\n\tbh=" + EncodeBase64(body_hash) + ";\r\n\tb=";

  std::string data = CanonicalHeaderData(headers, names, request.header_canon, "DKIM-Signature", value);
  auto signature = SignDigest(private_key, request.algorithm, HashBytes(HashOf(request.algorithm), data));
  if (!signature) return Fail(ErrorCode::kBadKey, "OpenSSL could not sign with this key");
  return value + FoldBase64(EncodeBase64(*signature));
}

}  // namespace kenin::verifier
