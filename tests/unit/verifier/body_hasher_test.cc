// BodyHasher is a byte-level state machine; these tests hold it to a second, independent
// reading of RFC 6376 §3.4.3/§3.4.4 written the obvious way (split the whole body into lines,
// transform each line, drop the empty ones at the end), on random bodies cut into random
// chunks. Known digests pin both to the outside world.
#include "verifier/body_hasher.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/verifier/body_reference.h"
#include "verifier/base64.h"
#include "verifier/digest.h"

namespace kenin::verifier {
namespace {

using reference::ReferenceCanonicalBody;

constexpr Canonicalization kSimple = Canonicalization::kSimple;
constexpr Canonicalization kRelaxed = Canonicalization::kRelaxed;

std::string B64(std::string_view bytes) { return EncodeBase64(bytes); }

// Reference digest: the first `limit` canonical octets (RFC 6376 §3.5 l=).
std::string ReferenceDigest(std::string_view body, Canonicalization canon,
                            std::optional<uint64_t> limit) {
  std::string canonical = ReferenceCanonicalBody(body, canon);
  if (limit && *limit < canonical.size()) canonical.resize(static_cast<size_t>(*limit));
  return B64(HashBytes(HashAlgorithm::kSha256, canonical));
}

std::string StreamDigest(const std::vector<std::string_view>& chunks, Canonicalization canon,
                         std::optional<uint64_t> limit = std::nullopt) {
  BodyHasher hasher(canon, HashAlgorithm::kSha256, limit);
  for (std::string_view chunk : chunks) hasher.Update(chunk);
  return B64(hasher.Finish());
}

std::string OneShotDigest(std::string_view body, Canonicalization canon,
                          std::optional<uint64_t> limit = std::nullopt) {
  return StreamDigest({body}, canon, limit);
}

// Bodies built from pieces weighted toward what canonicalization is about: line breaks
// (proper and bare), WSP runs, whitespace-only and trailing empty lines.
std::string RandomBody(std::mt19937& rng) {
  static const std::vector<std::pair<std::string_view, int>> kPieces = {
      {"\r\n", 12},    {"\r", 4},    {"\n", 4},     {" ", 8},      {"\t", 4},        {"  \t ", 3},
      {"\r\n\r\n", 4}, {" \r\n", 3}, {"\t\r\n", 2}, {"\r\r\n", 2}, {"\r\n \r\n", 2}, {"a", 8},
      {"b", 4},        {"Hello", 3}, {"x y", 2},    {"-- ", 1},    {".", 1}};
  std::vector<int> weights;
  for (const auto& piece : kPieces) weights.push_back(piece.second);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  std::uniform_int_distribution<int> count(0, 60);
  std::string body;
  for (int n = count(rng); n > 0; --n) body += kPieces[pick(rng)].first;
  // Bodies often end in a run of blank lines: exercise the lazily held CRLFs.
  if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) body += "\r\n\r\n\r\n";
  return body;
}

// Split strategies: every byte alone, random sizes, and a cut between every CR and LF.
std::vector<std::string_view> Split(std::string_view body, int strategy, std::mt19937& rng) {
  std::vector<std::string_view> chunks;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t size = 1;
    if (strategy == 1) size = std::uniform_int_distribution<size_t>(1, 7)(rng);
    if (strategy == 2) {
      size_t cr = body.find('\r', pos);
      size = cr == std::string_view::npos ? body.size() - pos : cr - pos + 1;
    }
    size = std::min(size, body.size() - pos);
    chunks.push_back(body.substr(pos, size));
    pos += size;
  }
  // Empty chunks must be harmless too.
  if (strategy == 1 && !chunks.empty()) chunks.insert(chunks.begin() + 1, std::string_view());
  return chunks;
}

TEST(BodyHasher, StreamedEqualsOneShotAndReferenceOnRandomBodies) {
  std::mt19937 rng(6376);
  for (int round = 0; round < 400; ++round) {
    std::string body = RandomBody(rng);
    for (Canonicalization canon : {kSimple, kRelaxed}) {
      size_t canonical_size = ReferenceCanonicalBody(body, canon).size();
      std::vector<std::optional<uint64_t>> limits = {
          std::nullopt, 0, std::uniform_int_distribution<uint64_t>(0, canonical_size + 3)(rng)};
      for (std::optional<uint64_t> limit : limits) {
        std::string expected = ReferenceDigest(body, canon, limit);
        for (int strategy = 0; strategy < 3; ++strategy) {
          SCOPED_TRACE(testing::Message()
                       << "round " << round << " canon " << ToString(canon)
                       << " l=" << (limit ? std::to_string(*limit) : "none") << " split "
                       << strategy << " body \"" << B64(body) << "\" (base64)");
          BodyHasher hasher(canon, HashAlgorithm::kSha256, limit);
          for (std::string_view chunk : Split(body, strategy, rng)) hasher.Update(chunk);
          ASSERT_EQ(B64(hasher.Finish()), expected);
          EXPECT_EQ(hasher.canonical_length(), canonical_size);
          EXPECT_EQ(hasher.truncated(), limit && canonical_size > *limit);
        }
        EXPECT_EQ(OneShotDigest(body, canon, limit), expected);
      }
    }
  }
}

// Text-like bodies of a few KB: long runs of words and single spaces that the hasher passes
// through whole (crossing line ends, sixteen octets at a time where the CPU allows), broken
// by the cases that end such a run at every offset a block scan can meet them.
std::string LongTextBody(std::mt19937& rng) {
  static const std::vector<std::pair<std::string_view, int>> kPieces = {
      {"word", 30}, {" ", 30},       {"\r\n", 8},  {"x", 10}, {"  ", 2}, {"\t", 2},
      {" \r\n", 2}, {"\r\n\r\n", 2}, {"\r\n ", 2}, {"\r", 1}, {"\n", 1}, {"\r\n\t", 1}};
  std::vector<int> weights;
  for (const auto& piece : kPieces) weights.push_back(piece.second);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  std::string body;
  for (int n = std::uniform_int_distribution<int>(200, 2000)(rng); n > 0; --n) {
    body += kPieces[pick(rng)].first;
  }
  return body;
}

TEST(BodyHasher, StreamedEqualsReferenceOnLongTextBodies) {
  std::mt19937 rng(8463);
  for (int round = 0; round < 150; ++round) {
    const std::string body = LongTextBody(rng);
    for (Canonicalization canon : {kSimple, kRelaxed}) {
      const std::string expected = ReferenceDigest(body, canon, std::nullopt);
      std::vector<std::string_view> chunks;
      const size_t max_chunk = std::uniform_int_distribution<size_t>(1, 400)(rng);
      for (size_t pos = 0; pos < body.size();) {
        const size_t size = std::uniform_int_distribution<size_t>(1, max_chunk)(rng);
        chunks.push_back(std::string_view(body).substr(pos, size));
        pos += size;
      }
      // l= anywhere, also inside a run hashed in one piece.
      const uint64_t limit = std::uniform_int_distribution<uint64_t>(
          0, ReferenceCanonicalBody(body, canon).size() + 3)(rng);
      SCOPED_TRACE(testing::Message() << "round " << round << " canon " << ToString(canon)
                                      << " max chunk " << max_chunk << " l=" << limit);
      ASSERT_EQ(OneShotDigest(body, canon), expected);
      ASSERT_EQ(StreamDigest(chunks, canon), expected);
      ASSERT_EQ(StreamDigest(chunks, canon, limit), ReferenceDigest(body, canon, limit));
    }
  }
}

// The reference itself, on the worked example of RFC 6376 §3.4.5 and the edge cases the
// random test leans on; if it were wrong, the property test above would prove nothing.
TEST(BodyHasher, ReferenceCanonicalizerMatchesRfcExample) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(ReferenceCanonicalBody(body, kRelaxed), " C\r\nD E\r\n");
  EXPECT_EQ(ReferenceCanonicalBody(body, kSimple), " C \r\nD \t E\r\n");
  EXPECT_EQ(ReferenceCanonicalBody("", kSimple), "\r\n");
  EXPECT_EQ(ReferenceCanonicalBody("", kRelaxed), "");
  EXPECT_EQ(ReferenceCanonicalBody("a\r\r\n", kSimple), "a\r\r\n");
}

TEST(BodyHasher, RfcExampleBodyMatchesRfc6376Section345) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(OneShotDigest(body, kRelaxed), B64(HashBytes(HashAlgorithm::kSha256, " C\r\nD E\r\n")));
  EXPECT_EQ(OneShotDigest(body, kSimple),
            B64(HashBytes(HashAlgorithm::kSha256, " C \r\nD \t E\r\n")));
}

// Frozen values: SHA-256 of "\r\n" and of the empty string, as every DKIM signer writes
// them in bh= for an empty body.
TEST(BodyHasher, EmptySimpleBodyIsOneCrlf) {
  EXPECT_EQ(OneShotDigest("", kSimple), "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
}

TEST(BodyHasher, EmptyRelaxedBodyIsEmpty) {
  EXPECT_EQ(OneShotDigest("", kRelaxed), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(BodyHasher, EmptySimpleBodyUnderSha1) {
  BodyHasher hasher(kSimple, HashAlgorithm::kSha1, std::nullopt);
  EXPECT_EQ(B64(hasher.Finish()), "uoq1oCgLlTqpdDX/iUbLy7J1Wic=");  // SHA-1 of "\r\n"
}

TEST(BodyHasher, OnlyBlankLinesCanonicalizeAsEmptyBody) {
  EXPECT_EQ(OneShotDigest("\r\n\r\n", kSimple), "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  EXPECT_EQ(OneShotDigest("\r\n\r\n", kRelaxed), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(BodyHasher, TrailingBlankLinesAreDropped) {
  std::string expected = B64(HashBytes(HashAlgorithm::kSha256, "text\r\n"));
  EXPECT_EQ(OneShotDigest("text\r\n\r\n\r\n", kSimple), expected);
  EXPECT_EQ(OneShotDigest("text\r\n\r\n\r\n", kRelaxed), expected);
}

TEST(BodyHasher, BlankLinesInsideTheBodyAreKept) {
  EXPECT_EQ(OneShotDigest("a\r\n\r\n\r\nb\r\n", kSimple),
            B64(HashBytes(HashAlgorithm::kSha256, "a\r\n\r\n\r\nb\r\n")));
}

TEST(BodyHasher, MissingFinalCrlfIsAdded) {
  std::string expected = B64(HashBytes(HashAlgorithm::kSha256, "last line\r\n"));
  EXPECT_EQ(OneShotDigest("last line", kSimple), expected);
  EXPECT_EQ(OneShotDigest("last line", kRelaxed), expected);
}

TEST(BodyHasher, RelaxedWhitespaceOnlyLinesAreEmpty) {
  // Inside the body they stay as empty lines; at the end they are dropped like blank lines.
  EXPECT_EQ(OneShotDigest(" \t \r\nx\r\n\t\r\n  \r\n", kRelaxed),
            B64(HashBytes(HashAlgorithm::kSha256, "\r\nx\r\n")));
  EXPECT_EQ(OneShotDigest("  \t", kRelaxed), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(BodyHasher, SimpleKeepsWhitespaceOnlyLines) {
  EXPECT_EQ(OneShotDigest("x\r\n \r\n", kSimple),
            B64(HashBytes(HashAlgorithm::kSha256, "x\r\n \r\n")));
}

TEST(BodyHasher, RelaxedReducesWhitespaceRunsAndTrimsLineEnds) {
  EXPECT_EQ(OneShotDigest("a \t b\t\r\n  c  \r\n", kRelaxed),
            B64(HashBytes(HashAlgorithm::kSha256, "a b\r\n c\r\n")));
}

TEST(BodyHasher, CrAtEndOfChunkThenLf) {
  std::string expected = B64(HashBytes(HashAlgorithm::kSha256, "a\r\nb\r\n"));
  EXPECT_EQ(StreamDigest({"a\r", "\nb\r", "\n"}, kSimple), expected);
  EXPECT_EQ(StreamDigest({"a \r", "\nb\r", "\n"}, kRelaxed), expected);
}

TEST(BodyHasher, CrAtEndOfChunkThenOtherOctetIsContent) {
  EXPECT_EQ(StreamDigest({"a\r", "b"}, kSimple),
            B64(HashBytes(HashAlgorithm::kSha256, "a\rb\r\n")));
}

TEST(BodyHasher, BareCrAtEndOfBodyIsContent) {
  EXPECT_EQ(StreamDigest({"a\r"}, kSimple), B64(HashBytes(HashAlgorithm::kSha256, "a\r\r\n")));
}

TEST(BodyHasher, BareLfIsContentNotALineBreak) {
  // RFC 6376 §3.4.3 lines end in CRLF; the caller converts Unix line ends beforehand.
  EXPECT_EQ(OneShotDigest("a\n\n", kSimple), B64(HashBytes(HashAlgorithm::kSha256, "a\n\n\r\n")));
}

TEST(BodyHasher, LengthShorterThanBodyHashesPrefixAndIsTruncated) {
  BodyHasher hasher(kRelaxed, HashAlgorithm::kSha256, 5);
  hasher.Update("Hello  world\r\n");
  EXPECT_EQ(B64(hasher.Finish()), B64(HashBytes(HashAlgorithm::kSha256, "Hello")));
  EXPECT_TRUE(hasher.truncated());
  EXPECT_EQ(hasher.canonical_length(), 13u);  // "Hello world\r\n"
}

TEST(BodyHasher, LengthEqualToBodyIsNotTruncated) {
  BodyHasher hasher(kSimple, HashAlgorithm::kSha256, 7);
  hasher.Update("Hello\r\n\r\n");
  EXPECT_EQ(B64(hasher.Finish()), B64(HashBytes(HashAlgorithm::kSha256, "Hello\r\n")));
  EXPECT_FALSE(hasher.truncated());
}

TEST(BodyHasher, LengthZeroHashesNothing) {
  BodyHasher hasher(kSimple, HashAlgorithm::kSha256, 0);
  hasher.Update("anything\r\n");
  EXPECT_EQ(B64(hasher.Finish()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_TRUE(hasher.truncated());
}

TEST(BodyHasher, NoLimitIsNeverTruncated) {
  BodyHasher hasher(kSimple, HashAlgorithm::kSha256, std::nullopt);
  hasher.Update("x\r\n");
  hasher.Finish();
  EXPECT_FALSE(hasher.truncated());
  EXPECT_EQ(hasher.limit(), std::nullopt);
}

TEST(BodyHasher, LargeBodyBeyondInternalBufferMatchesReference) {
  // Pieces larger and smaller than the hasher's batching buffer.
  std::string body;
  for (int i = 0; i < 3000; ++i) body += "line  " + std::to_string(i) + " \t\r\n";
  body += std::string(20000, 'z') + "\r\n\r\n";
  for (Canonicalization canon : {kSimple, kRelaxed}) {
    EXPECT_EQ(OneShotDigest(body, canon), ReferenceDigest(body, canon, std::nullopt));
    EXPECT_EQ(OneShotDigest(body, canon, 50000), ReferenceDigest(body, canon, 50000));
  }
}

TEST(BodyHasher, ReportsItsParameters) {
  BodyHasher hasher(kRelaxed, HashAlgorithm::kSha1, 42);
  EXPECT_EQ(hasher.canon(), kRelaxed);
  EXPECT_EQ(hasher.hash(), HashAlgorithm::kSha1);
  EXPECT_EQ(hasher.limit(), std::optional<uint64_t>(42));
}

}  // namespace
}  // namespace kenin::verifier
