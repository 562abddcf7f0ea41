// Base64 as DKIM reads it: RFC 4648 §4 with FWS ignored (RFC 6376 §3.5, §3.6.1) and nothing
// else tolerated. The callers turn nullopt into kBadBase64 (see signature_test, key_record_test).
#include "verifier/base64.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace kenin::verifier {
namespace {

struct Vector {
  const char* plain;
  const char* encoded;
};

// RFC 4648 §10 test vectors.
constexpr Vector kRfc4648[] = {{"", ""},
                               {"f", "Zg=="},
                               {"fo", "Zm8="},
                               {"foo", "Zm9v"},
                               {"foob", "Zm9vYg=="},
                               {"fooba", "Zm9vYmE="},
                               {"foobar", "Zm9vYmFy"}};

TEST(Base64, EncodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    SCOPED_TRACE(v.plain);
    EXPECT_EQ(EncodeBase64(v.plain), v.encoded);
  }
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    SCOPED_TRACE(v.encoded);
    EXPECT_EQ(DecodeBase64(v.encoded), std::optional<std::string>(v.plain));
  }
}

TEST(Base64, RoundTripsArbitraryBytes) {
  std::mt19937 rng(4648);
  std::uniform_int_distribution<int> octet(0, 255);
  for (size_t size = 0; size < 80; ++size) {
    std::string bytes;
    for (size_t i = 0; i < size; ++i) bytes += static_cast<char>(octet(rng));
    SCOPED_TRACE(size);
    EXPECT_EQ(DecodeBase64(EncodeBase64(bytes)), bytes);
  }
}

TEST(Base64, IgnoresFoldingWhitespace) {
  // b= and bh= are folded across header lines; the FWS is not part of the value.
  EXPECT_EQ(DecodeBase64(" Zm9v\r\n\tYmFy \r\n "), std::optional<std::string>("foobar"));
  EXPECT_EQ(DecodeBase64("Zm 9v Yg =="), std::optional<std::string>("foob"));
}

TEST(Base64, AcceptsMissingPadding) {
  EXPECT_EQ(DecodeBase64("Zm9vYg"), std::optional<std::string>("foob"));
  EXPECT_EQ(DecodeBase64("Zm9vYmE"), std::optional<std::string>("fooba"));
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(DecodeBase64("Zm9v!mFy"), std::nullopt);
  EXPECT_EQ(DecodeBase64("Zm9v-_"), std::nullopt);  // base64url is a different alphabet
  EXPECT_EQ(DecodeBase64("Zm9v\x80"), std::nullopt);
}

TEST(Base64, RejectsMisplacedPadding) {
  EXPECT_EQ(DecodeBase64("Zg==Zg=="), std::nullopt);
  EXPECT_EQ(DecodeBase64("Z=g="), std::nullopt);
  EXPECT_EQ(DecodeBase64("Zg==="), std::nullopt);
  EXPECT_EQ(DecodeBase64("===="), std::nullopt);
}

TEST(Base64, RejectsImpossibleLengths) {
  EXPECT_EQ(DecodeBase64("Zm9vY"), std::nullopt);  // 5 symbols cannot end a quantum
  EXPECT_EQ(DecodeBase64("Zg="), std::nullopt);    // padded, but not a whole quantum
}

TEST(Base64, EmptyAndWhitespaceOnlyDecodeToNothing) {
  EXPECT_EQ(DecodeBase64(""), std::optional<std::string>(""));
  EXPECT_EQ(DecodeBase64(" \r\n\t"), std::optional<std::string>(""));
}

}  // namespace
}  // namespace kenin::verifier
