// The plan is fixed before any message is made: exact counts per size class, per algorithm
// (over all signatures) and of two-signature messages, each list shuffled with the seed, so
// the realized shares are the requested ones rounded to whole messages (1000 messages:
// 600/300/100 sizes, 1210 signatures = 968 + 145 + 97). What varies per message (domains,
// canonicalizations, the exact body size, the text) comes from the message's own stream.
// A two-signature message is signed by its author first, then by an ESP that adds its own
// fields (List-Unsubscribe, Feedback-ID) and signs them with the author's; the ESP's
// DKIM-Signature ends up on top.
#include "bench/mix_corpus.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench/seeded_key.h"
#include "tools/keys.h"
#include "verifier/signer.h"

namespace kenin::bench {
namespace {

using verifier::Canonicalization;

constexpr std::array<std::string_view, 8> kAuthorDomains = {
    "bench.example",      "shop.example",   "news.example",   "bank.example",
    "university.example", "social.example", "travel.example", "corp.example"};
constexpr std::array<std::string_view, 2> kEspDomains = {"esp-one.example", "esp-two.example"};
constexpr uint32_t kPlanStream = 1;  // stream labels, so plan, keys and messages never overlap
constexpr uint32_t kKeyStream = 2;
constexpr uint32_t kMessageStream = 3;

std::mt19937_64 Stream(uint64_t seed, uint32_t label, uint64_t index = 0, uint32_t sub = 0) {
  std::seed_seq seq{static_cast<uint32_t>(seed),  static_cast<uint32_t>(seed >> 32),  label,
                    static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), sub};
  return std::mt19937_64(seq);
}

// Fisher-Yates with Pick(): std::shuffle's draws are not specified.
template <typename T>
void Shuffle(std::vector<T>& items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[Pick(rng, i)]);
}

// `total` split by `percent` (summing to 100), rounded, the remainder on the last share.
template <size_t N>
std::array<size_t, N> Shares(size_t total, const std::array<size_t, N>& percent) {
  std::array<size_t, N> counts{};
  size_t given = 0;
  for (size_t i = 0; i + 1 < N; ++i) {
    counts[i] = (total * percent[i] + 50) / 100;
    given += counts[i];
  }
  counts[N - 1] = total - std::min(total, given);
  return counts;
}

// Author: mostly relaxed/relaxed; an ESP more often keeps the body simple.
std::pair<Canonicalization, Canonicalization> PickCanon(std::mt19937_64& rng, bool esp) {
  const size_t roll = Pick(rng, 100);
  const size_t relaxed_relaxed = esp ? 50 : 80;
  const size_t relaxed_simple = esp ? 25 : 10;
  if (roll < relaxed_relaxed) return {Canonicalization::kRelaxed, Canonicalization::kRelaxed};
  if (roll < relaxed_relaxed + relaxed_simple) {
    return {Canonicalization::kRelaxed, Canonicalization::kSimple};
  }
  return {Canonicalization::kSimple, Canonicalization::kSimple};
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "mix corpus: %s\n", what.c_str());
  std::abort();
}

std::vector<verifier::HeaderField> EspFields(std::mt19937_64& rng, std::string_view esp) {
  const std::string id = Hex(rng, 12);
  return {{"List-Unsubscribe", " <https://" + std::string(esp) + "/u/" + id + ">"},
          {"List-Unsubscribe-Post", " List-Unsubscribe=One-Click"},
          {"Feedback-ID", " " + Hex(rng, 6) + ":" + Hex(rng, 4) + ":" + std::string(esp)}};
}

const std::vector<std::string>& EspSignedNames() {
  static const std::vector<std::string> kNames = {"from",
                                                  "to",
                                                  "subject",
                                                  "date",
                                                  "message-id",
                                                  "mime-version",
                                                  "content-type",
                                                  "list-unsubscribe",
                                                  "list-unsubscribe-post",
                                                  "feedback-id"};
  return kNames;
}

std::string Sign(const MixSignature& spec, EVP_PKEY* key,
                 const std::vector<verifier::HeaderField>& fields, std::string_view body,
                 const std::vector<std::string>& names) {
  verifier::SignRequest request;
  request.algorithm = SigningAlgorithm(spec.alg);
  request.header_canon = spec.header_canon;
  request.body_canon = spec.body_canon;
  request.domain = spec.domain;
  request.selector = std::string(Name(spec.alg));
  request.signed_headers = names;
  request.timestamp = static_cast<uint64_t>(kSignTime);
  auto signature = verifier::SignMessage(request, key, fields, body);
  if (!signature) Die("signing failed: " + signature.error().detail);
  return *signature;
}

}  // namespace

MixCorpus::MixCorpus(size_t messages, uint64_t seed) : seed_(seed) {
  Plan(messages);
  MakeKeys();
}

void MixCorpus::Plan(size_t messages) {
  std::mt19937_64 rng = Stream(seed_, kPlanStream);
  std::vector<size_t> sizes;
  const auto size_counts = Shares(
      messages,
      std::array<size_t, 3>{kMixSizes[0].percent, kMixSizes[1].percent, kMixSizes[2].percent});
  for (size_t s = 0; s < size_counts.size(); ++s) sizes.insert(sizes.end(), size_counts[s], s);
  Shuffle(sizes, rng);

  const size_t two = (messages * kMixTwoSignaturePercent + 50) / 100;
  std::vector<char> doubled(messages, 0);
  std::fill(doubled.begin(), doubled.begin() + static_cast<std::ptrdiff_t>(two), 1);
  Shuffle(doubled, rng);

  std::vector<KeyAlg> algs;
  const auto alg_counts = Shares(messages + two, kMixAlgPercent);
  for (size_t a = 0; a < alg_counts.size(); ++a)
    algs.insert(algs.end(), alg_counts[a], kAllKeyAlgs[a]);
  Shuffle(algs, rng);

  size_t next = 0;
  plan_.resize(messages);
  for (size_t i = 0; i < messages; ++i) {
    plan_[i].size_class = sizes[i];
    plan_[i].algs.push_back(algs[next++]);
    if (doubled[i]) plan_[i].algs.push_back(algs[next++]);
  }
}

void MixCorpus::MakeKeys() {
  std::vector<std::string_view> names(kAuthorDomains.begin(), kAuthorDomains.end());
  names.insert(names.end(), kEspDomains.begin(), kEspDomains.end());
  for (size_t d = 0; d < names.size(); ++d) {
    DomainKeys& entry = domains_.emplace_back();
    entry.domain = std::string(names[d]);
    for (KeyAlg alg : kAllKeyAlgs) {
      std::mt19937_64 rng = Stream(seed_, kKeyStream, d, static_cast<uint32_t>(alg));
      auto key = SeededKey(alg, rng);
      if (!key) Die("key generation failed for " + entry.domain);
      const std::string record = tools::PublicKeyRecord(key->get());
      zone_text_ += tools::ZoneLine(Name(alg), entry.domain, record) + "\n";
      key_file_text_ +=
          std::string(Name(alg)) + "._domainkey." + entry.domain + " " + record + "\n";
      entry.keys[static_cast<size_t>(alg)] = std::move(*key);
    }
    if (d < kAuthorDomains.size()) {
      // RFC 9989 DMARC record, so `kenin verify` finds a policy as it would on a live MX.
      zone_text_ += "_dmarc." + entry.domain + ". 3600 IN TXT \"v=DMARC1; p=none\"\n";
    }
  }
}

const verifier::PkeyPtr& MixCorpus::Key(const std::string& domain, KeyAlg alg) const {
  for (const DomainKeys& entry : domains_) {
    if (entry.domain == domain) return entry.keys[static_cast<size_t>(alg)];
  }
  Die("no keys for " + domain);
}

MixMessage MixCorpus::Make(size_t index) const {
  const Planned& planned = plan_.at(index);
  std::mt19937_64 rng = Stream(seed_, kMessageStream, index);
  MixMessage out;
  out.size_class = planned.size_class;

  MixSignature author;
  author.alg = planned.algs.front();
  author.domain = std::string(kAuthorDomains[Pick(rng, kAuthorDomains.size())]);
  std::tie(author.header_canon, author.body_canon) = PickCanon(rng, false);

  const size_t nominal = kMixSizes[planned.size_class].bytes;
  const size_t body_bytes = nominal * (900 + Pick(rng, 201)) / 1000;  // within ±10%
  std::vector<verifier::HeaderField> fields = MakeSignedFields(rng, author.domain);
  CorpusMessage& message = out.message;
  message.alg = author.alg;
  message.body = MakeBody(rng, body_bytes);

  // Below the signatures, top first: what each signature was computed over.
  std::vector<verifier::HeaderField> below = fields;
  below.insert(
      below.begin(),
      verifier::HeaderField{"DKIM-Signature", Sign(author, Key(author.domain, author.alg).get(),
                                                   fields, message.body, {})});
  out.signatures.push_back(author);
  if (planned.algs.size() > 1) {
    MixSignature esp;
    esp.alg = planned.algs[1];
    esp.domain = std::string(kEspDomains[Pick(rng, kEspDomains.size())]);
    std::tie(esp.header_canon, esp.body_canon) = PickCanon(rng, true);
    std::vector<verifier::HeaderField> added = EspFields(rng, esp.domain);
    below.insert(below.begin(), added.begin(), added.end());
    below.insert(below.begin(), verifier::HeaderField{"DKIM-Signature",
                                                      Sign(esp, Key(esp.domain, esp.alg).get(),
                                                           below, message.body, EspSignedNames())});
    out.signatures.insert(out.signatures.begin(), esp);
  }
  message.headers.push_back(MakeTraceField(rng));
  message.headers.insert(message.headers.end(), below.begin(), below.end());
  return out;
}

void MixTally::Add(const MixMessage& m) {
  ++messages_;
  ++sizes_[m.size_class];
  body_octets_ += m.message.body.size();
  header_octets_ += m.message.header_bytes();
  for (const MixSignature& sig : m.signatures) {
    ++signatures_;
    ++algs_[static_cast<size_t>(sig.alg)];
    ++canons_[std::string(verifier::ToString(sig.header_canon)) + "/" +
              std::string(verifier::ToString(sig.body_canon))];
  }
  if (m.signatures.size() == 2) {
    ++two_;
    if (m.signatures[0].body_canon == m.signatures[1].body_canon) ++two_shared_body_;
  }
}

std::string MixTally::Describe() const {
  auto ratio = [](uint64_t part, uint64_t whole) {
    return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
  };
  auto pct = [&](uint64_t part, uint64_t whole) { return 100 * ratio(part, whole); };
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "messages %zu:", messages_);
  out += line;
  for (size_t s = 0; s < kMixSizes.size(); ++s) {
    std::snprintf(line, sizeof(line), " %s %zu (%.1f%%)", kMixSizes[s].name, sizes_[s],
                  pct(sizes_[s], messages_));
    out += line;
  }
  std::snprintf(line, sizeof(line), "; mean body %.0f B, mean header %.0f B\n",
                ratio(body_octets_, messages_), ratio(header_octets_, messages_));
  out += line;
  std::snprintf(line, sizeof(line), "signatures %zu (%.3f per message):", signatures_,
                ratio(signatures_, messages_));
  out += line;
  for (KeyAlg alg : kAllKeyAlgs) {
    const size_t n = algs_[static_cast<size_t>(alg)];
    std::snprintf(line, sizeof(line), " %s %zu (%.1f%%)", std::string(Name(alg)).c_str(), n,
                  pct(n, signatures_));
    out += line;
  }
  std::snprintf(line, sizeof(line),
                "\ntwo signatures: %zu messages (%.1f%%), %zu of them with one body "
                "canonicalization for both\ncanonicalization (header/body):",
                two_, pct(two_, messages_), two_shared_body_);
  out += line;
  for (const auto& [name, n] : canons_) {
    std::snprintf(line, sizeof(line), " %s %zu (%.1f%%)", name.c_str(), n, pct(n, signatures_));
    out += line;
  }
  return out + "\n";
}

}  // namespace kenin::bench
