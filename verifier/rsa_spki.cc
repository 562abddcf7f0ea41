#include "verifier/rsa_spki.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <memory>

namespace kenin::verifier {
namespace {

// Reads the header of the DER element at `*cursor`, which must be the universal `tag`,
// constructed or not as given, with definite length and its content before `end`. Leaves
// `*cursor` at the content and returns the content length.
std::optional<long> Enter(const unsigned char** cursor, const unsigned char* end, int tag,
                          bool constructed) {
  long length = 0;
  int element_tag = 0;
  int element_class = 0;
  const int flags = ASN1_get_object(cursor, &length, &element_tag, &element_class, end - *cursor);
  if ((flags & 0x80) != 0 || (flags & 0x01) != 0) return std::nullopt;  // error; indefinite
  if (element_class != V_ASN1_UNIVERSAL || element_tag != tag) return std::nullopt;
  if (((flags & V_ASN1_CONSTRUCTED) != 0) != constructed) return std::nullopt;
  if (length < 0 || length > end - *cursor) return std::nullopt;
  return length;
}

}  // namespace

std::optional<std::string_view> RsaPublicKeyInSpki(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* const end = cursor + der.size();
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const std::optional<long> spki = Enter(&cursor, end, V_ASN1_SEQUENCE, true);
  if (!spki || *spki != end - cursor) return std::nullopt;
  std::unique_ptr<X509_ALGOR, decltype(&X509_ALGOR_free)> algorithm(
      d2i_X509_ALGOR(nullptr, &cursor, end - cursor), &X509_ALGOR_free);
  if (!algorithm) return std::nullopt;
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm.get());
  if (OBJ_obj2nid(oid) != NID_rsaEncryption) return std::nullopt;
  const std::optional<long> bits = Enter(&cursor, end, V_ASN1_BIT_STRING, false);
  // The BIT STRING closes the SEQUENCE; its first octet counts the unused bits of the last.
  if (!bits || *bits != end - cursor || *bits < 1 || cursor[0] != 0) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cursor + 1),
                          static_cast<size_t>(*bits - 1));
}

}  // namespace kenin::verifier
