// Digest wraps an EVP_MD_CTX; what matters is that feeding it in pieces is the same as feeding
// it at once, for both hashes DKIM names (RFC 6376 §3.3).
#include "verifier/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "verifier/base64.h"

namespace kenin::verifier {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out += kDigits[u >> 4];
    out += kDigits[u & 15];
  }
  return out;
}

// FIPS 180-2 Appendix B.1 / FIPS 180-1 Appendix A: the digests of "abc".
TEST(Digest, Sha256OfAbcIsTheFipsVector) {
  EXPECT_EQ(Hex(HashBytes(HashAlgorithm::kSha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, Sha1OfAbcIsTheFipsVector) {
  EXPECT_EQ(Hex(HashBytes(HashAlgorithm::kSha1, "abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Digest, EmptyInputHasTheKnownDigest) {
  EXPECT_EQ(EncodeBase64(HashBytes(HashAlgorithm::kSha256, "")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(Digest, PiecesEqualTheWhole) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>(i * 7);
  for (HashAlgorithm h : {HashAlgorithm::kSha256, HashAlgorithm::kSha1}) {
    Digest digest(h);
    for (size_t pos = 0, size = 1; pos < text.size(); pos += size, ++size) {
      digest.Update(std::string_view(text).substr(pos, size));
    }
    digest.Update("");  // an empty piece changes nothing
    EXPECT_EQ(digest.Finish(), HashBytes(h, text));
  }
}

TEST(Digest, OutputSizesAreThoseOfTheHash) {
  EXPECT_EQ(HashBytes(HashAlgorithm::kSha256, "x").size(), 32u);
  EXPECT_EQ(HashBytes(HashAlgorithm::kSha1, "x").size(), 20u);
}

}  // namespace
}  // namespace kenin::verifier
