// The traffic mix of issue 7, as whole messages for files: 60% ~2 KB, 30% ~20 KB, 10% ~200 KB
// bodies; 1.21 signatures per message (21% of messages carry two: the author domain's and an
// ESP's, sometimes with other canonicalizations) whose algorithms are 80% rsa-2048, 12%
// rsa-1024 and 8% ed25519. Several author domains and ESPs, each publishing one key per
// algorithm (selectors rsa2048, rsa1024, ed25519) and the authors a DMARC record.
// Everything, keys included (bench/seeded_key.h), depends only on the seed and the message
// count, so the same two give the same files. Not thread-safe; build once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/corpus.h"

namespace kenin::bench {

struct MixSize {
  const char* name;
  size_t bytes;    // the body is within ±10% of this
  size_t percent;  // share of messages
};
inline constexpr std::array<MixSize, 3> kMixSizes = {
    {{"2KB", 2 * 1024, 60}, {"20KB", 20 * 1024, 30}, {"200KB", 200 * 1024, 10}}};
inline constexpr std::array<size_t, 3> kMixAlgPercent = {80, 12, 8};  // as kAllKeyAlgs
inline constexpr size_t kMixTwoSignaturePercent = 21;

struct MixSignature {
  KeyAlg alg = KeyAlg::kRsa2048;
  std::string domain;
  verifier::Canonicalization header_canon = verifier::Canonicalization::kRelaxed;
  verifier::Canonicalization body_canon = verifier::Canonicalization::kRelaxed;
};

struct MixMessage {
  size_t size_class = 0;                 // index into kMixSizes
  std::vector<MixSignature> signatures;  // as in the header, top first
  CorpusMessage message;
};

class MixCorpus {
 public:
  // Generates every domain's keys (a few seconds: RSA primes). Aborts if OpenSSL fails.
  explicit MixCorpus(size_t messages = 1000, uint64_t seed = kDefaultSeed);

  size_t size() const { return plan_.size(); }
  // REQUIRES: index < size(). Signing failures abort.
  MixMessage Make(size_t index) const;

  // RFC 1035 master file: every key, and a DMARC record per author domain (`kenin verify --zone`).
  const std::string& zone_text() const { return zone_text_; }
  // libopendkim's DKIM_QUERY_FILE format: "selector._domainkey.domain key-record" per line.
  const std::string& key_file_text() const { return key_file_text_; }

 private:
  struct Planned {
    size_t size_class = 0;
    std::vector<KeyAlg> algs;  // one per signature, author's first
  };
  struct DomainKeys {
    std::string domain;
    std::array<verifier::PkeyPtr, 3> keys;  // indexed by KeyAlg
  };

  void Plan(size_t messages);
  void MakeKeys();
  const verifier::PkeyPtr& Key(const std::string& domain, KeyAlg alg) const;

  uint64_t seed_;
  std::vector<Planned> plan_;
  std::vector<DomainKeys> domains_;  // authors first, then ESPs
  std::string zone_text_;
  std::string key_file_text_;
};

// Counts what a set of messages realized of the mix, one Add() per message.
class MixTally {
 public:
  void Add(const MixMessage& message);
  // A few lines: sizes, signatures per algorithm, two-signature messages, canonicalizations.
  std::string Describe() const;

 private:
  size_t messages_ = 0;
  size_t signatures_ = 0;
  size_t two_ = 0;
  size_t two_shared_body_ = 0;  // both signatures with one body canonicalization
  uint64_t body_octets_ = 0;
  uint64_t header_octets_ = 0;
  std::array<size_t, 3> sizes_{};
  std::array<size_t, 3> algs_{};
  std::map<std::string, size_t> canons_;  // "relaxed/simple" -> signatures
};

}  // namespace kenin::bench
