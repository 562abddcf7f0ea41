// A seeded, reproducible corpus of DKIM-signed messages for the benchmarks: realistic headers
// (some folded) and text bodies of a requested size, signed relaxed/relaxed with keys generated
// once per Corpus, plus the zone text that publishes those keys. Messages are kept split into
// header fields and a body so a benchmark drives DkimVerifier the way the milter does.
// The message text depends only on (seed, algorithm, size, index); the keys, and so the b=
// values, are fresh for every Corpus because OpenSSL's key generation is not seedable.
// Not thread-safe; build it once, before the timed loops.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"
#include "verifier/canonicalize.h"
#include "verifier/dkim_verifier.h"
#include "verifier/key_record.h"
#include "verifier/signature.h"

namespace kenin::bench {

enum class KeyAlg { kRsa2048, kRsa1024, kEd25519 };
inline constexpr std::array<KeyAlg, 3> kAllKeyAlgs = {KeyAlg::kRsa2048, KeyAlg::kRsa1024,
                                                      KeyAlg::kEd25519};

std::string_view Name(KeyAlg alg);  // "rsa2048": benchmark names and DNS selectors
verifier::Algorithm SigningAlgorithm(KeyAlg alg);

inline constexpr uint64_t kDefaultSeed = 0x6b656e696e2d6231;  // "kenin-b1"
inline constexpr std::string_view kDomain = "bench.example";
// t= of every signature; verify with a `now` shortly after it so t= is never "in the future".
inline constexpr int64_t kSignTime = 1767225600;  // 2026-01-01T00:00:00Z

struct CorpusMessage {
  KeyAlg alg = KeyAlg::kRsa2048;
  // As the MTA hands them to the milter, top first: the receiver's Received, then
  // DKIM-Signature, then the signed message's fields.
  std::vector<verifier::HeaderField> headers;
  std::string body;  // CRLF line ends

  // "Name:value\r\n" for every field: the header block as it crosses the wire.
  size_t header_bytes() const;
  size_t total_bytes() const { return header_bytes() + 2 + body.size(); }
  // The message as a file holds it: the header block, the empty line, the body (CRLF).
  std::string text() const;
};

// Uniform-enough integer in [0, n), by plain modulo: std::*_distribution draws differ between
// standard libraries, std::mt19937_64 does not, so the corpus is the same everywhere.
size_t Pick(std::mt19937_64& rng, size_t n);
// `digits` lower-case hex digits.
std::string Hex(std::mt19937_64& rng, int digits);

// The pieces Corpus::Make assembles, for other corpora (bench/mix_corpus.h). Each draws from
// `rng` in a fixed order, so the same stream gives the same text.
// From, To (folded, 1-4 recipients), Subject, Date, Message-ID, MIME fields and a sender-side
// Received: what an author's signature covers. From is a mailbox at `author_domain`.
std::vector<verifier::HeaderField> MakeSignedFields(std::mt19937_64& rng,
                                                    std::string_view author_domain);
// A text body of exactly `size` octets, ending in CRLF when size >= 2.
std::string MakeBody(std::mt19937_64& rng, size_t size);
// The Received field the receiving MX puts on top.
verifier::HeaderField MakeTraceField(std::mt19937_64& rng);

class Corpus {
 public:
  // Generates the three keys; aborts the process if OpenSSL cannot (nothing to measure then).
  explicit Corpus(uint64_t seed = kDefaultSeed);

  // The `index`-th message for (alg, body_bytes); `body_bytes` is exact. Signing failures
  // abort: the corpus is built before any benchmark runs.
  CorpusMessage Make(KeyAlg alg, size_t body_bytes, uint64_t index = 0) const;

  // Master-file text with one TXT record per selector, for dns::ZoneResolver::FromText.
  const std::string& zone_text() const { return zone_text_; }
  // "v=DKIM1; k=...; p=..." as published for `alg`: the floor decodes it once, as a key cache
  // would.
  const std::string& key_record(KeyAlg alg) const { return records_[static_cast<size_t>(alg)]; }

 private:
  uint64_t seed_;
  std::array<verifier::PkeyPtr, 3> keys_;  // private keys, indexed by KeyAlg
  std::array<std::string, 3> records_;
  std::string zone_text_;
};

struct VerifyTally {
  size_t signatures = 0;  // verdicts: one per DKIM-Signature field
  size_t passed = 0;
};

// One message through one verifier session as the milter feeds it (headers one by one, the
// body in 64 KiB chunks), as of `now`.
VerifyTally Verify(int64_t now, const verifier::VerifyOptions& options, dns::Resolver& resolver,
                   const CorpusMessage& message);
// The same, true when the single verdict is pass.
bool VerifyOnce(int64_t now, const verifier::VerifyOptions& options, dns::Resolver& resolver,
                const CorpusMessage& message);

}  // namespace kenin::bench
