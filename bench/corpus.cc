// Message shape, chosen to resemble what a receiving MX sees rather than a minimal fixture:
//  - a Received field added by the receiver above DKIM-Signature (unsigned, must be skipped),
//    a sender-side Received below it, then From/To/Subject/Date/Message-ID/MIME fields;
//    long To and Subject values and some Content-Type values are folded;
//  - a text body of ~70-octet CRLF lines with paragraph breaks, double spaces after some
//    sentences, the odd tab, trailing whitespace and quoted lines: the cases relaxed body
//    canonicalization has to rewrite, at roughly the rate real mail has them.
// Randomness: std::mt19937_64 and std::seed_seq are specified exactly by the standard, the
// std::*_distribution classes are not, so values are drawn with plain modulo (the bias is
// irrelevant here) to keep the corpus identical across standard libraries.
#include "bench/corpus.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <random>

#include "tools/keys.h"
#include "verifier/signer.h"

namespace kenin::bench {

size_t Pick(std::mt19937_64& rng, size_t n) { return static_cast<size_t>(rng() % n); }

std::string Hex(std::mt19937_64& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out += kHex[Pick(rng, 16)];
  return out;
}

namespace {

constexpr std::array<std::string_view, 64> kWords = {
    "the",      "message",  "server",  "queue",       "delivery", "report",   "account",  "please",
    "review",   "attached", "meeting", "schedule",    "update",   "project",  "invoice",  "payment",
    "team",     "release",  "notes",   "customer",    "support",  "ticket",   "resolved", "pending",
    "approval", "budget",   "quarter", "results",     "thanks",   "regards",  "tomorrow", "morning",
    "office",   "remote",   "access",  "password",    "expires",  "security", "policy",   "domain",
    "records",  "change",   "window",  "maintenance", "outage",   "restored", "latency",  "traffic",
    "storage",  "backup",   "restore", "weekly",      "summary",  "draft",    "final",    "version",
    "and",      "for",      "with",    "from",        "about",    "before",   "after",    "we"};
constexpr std::array<std::string_view, 12> kFirstNames = {"Alice", "Bob",   "Carol",  "Dmitri",
                                                          "Erin",  "Farah", "Gustav", "Hiro",
                                                          "Ines",  "Jamal", "Keiko",  "Lars"};
constexpr std::array<std::string_view, 12> kLastNames = {
    "Archer", "Baptiste", "Chen", "Dubois", "Eriksen",  "Fonseca",
    "Garcia", "Haddad",   "Ito",  "Jensen", "Kowalski", "Lindqvist"};

bool Chance(std::mt19937_64& rng, size_t one_in) { return Pick(rng, one_in) == 0; }

template <size_t N>
std::string_view PickFrom(std::mt19937_64& rng, const std::array<std::string_view, N>& items) {
  return items[Pick(rng, N)];
}

std::string TwoDigits(size_t n) {
  char text[3];
  std::snprintf(text, sizeof(text), "%02zu", n % 100);
  return text;
}

std::string Mailbox(std::mt19937_64& rng, std::string_view domain) {
  std::string first(PickFrom(rng, kFirstNames));
  std::string last(PickFrom(rng, kLastNames));
  std::string local = first + "." + last;
  for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "\"" + first + " " + last + "\" <" + local + "@" + std::string(domain) + ">";
}

// Words up to `width` octets; the caller adds the line end.
std::string Words(std::mt19937_64& rng, size_t width) {
  std::string line;
  while (line.size() < width) {
    if (!line.empty()) {
      if (Chance(rng, 9)) {
        // A sentence end, now and then with two spaces or a tab: WSP runs relaxed squeezes.
        const size_t style = Pick(rng, 10);
        line += style < 7 ? ". " : style < 9 ? ".  " : ".\t";
      } else {
        line += ' ';
      }
    }
    line += PickFrom(rng, kWords);
  }
  return line;
}

// "Subject:" values longer than a line are folded at a space, as mail user agents do.
std::string FoldAtSpace(std::string text, size_t width) {
  if (text.size() <= width) return text;
  size_t space = text.rfind(' ', width);
  if (space == std::string::npos || space == 0) return text;
  return text.substr(0, space) + "\r\n" + text.substr(space);
}

// Concatenates pieces. Building values this way also keeps clear of GCC 12's -Wrestrict
// false positive on `"literal" + std::string&&` at -O3 (GCC bug 105329).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

}  // namespace

std::vector<verifier::HeaderField> MakeSignedFields(std::mt19937_64& rng,
                                                    std::string_view author_domain) {
  std::vector<verifier::HeaderField> h;
  h.push_back({"Received", Cat({" from [10.1.", std::to_string(Pick(rng, 256)), ".",
                                std::to_string(Pick(rng, 256)),
                                "] (unknown)\r\n\tby submit.bench.example (Postfix) with ESMTPSA"
                                " id ",
                                Hex(rng, 10), ";\r\n\tThu,  1 Jan 2026 00:00:00 +0000"})});
  h.push_back({"From", Cat({" ", Mailbox(rng, author_domain)})});
  std::string to = Cat({" ", Mailbox(rng, "recipient.example")});
  for (size_t extra = Pick(rng, 4); extra > 0; --extra) {
    to += Cat({",\r\n\t", Mailbox(rng, "recipient.example")});  // one recipient a line
  }
  h.push_back({"To", to});
  h.push_back({"Subject", Cat({" ", FoldAtSpace(Words(rng, 20 + Pick(rng, 70)), 60)})});
  h.push_back({"Date", Cat({" Thu, 1 Jan 2026 00:", TwoDigits(Pick(rng, 60)), ":",
                            TwoDigits(Pick(rng, 60)), " +0000"})});
  h.push_back(
      {"Message-ID", Cat({" <", Hex(rng, 16), ".", Hex(rng, 8), "@submit.bench.example>"})});
  h.push_back({"MIME-Version", " 1.0"});
  h.push_back({"Content-Type", Chance(rng, 2) ? " text/plain;\r\n\tcharset=\"utf-8\"; format=flowed"
                                              : " text/plain; charset=\"utf-8\""});
  h.push_back({"Content-Transfer-Encoding", Chance(rng, 3) ? " quoted-printable" : " 8bit"});
  return h;
}

std::string MakeBody(std::mt19937_64& rng, size_t size) {
  if (size < 2) return std::string(size, '.');
  std::string body;
  body.reserve(size + 128);
  while (body.size() < size) {
    if (Chance(rng, 8)) {
      body += "\r\n";  // paragraph break
      continue;
    }
    if (Chance(rng, 12)) body += "> ";  // a quoted reply line
    body += Words(rng, 55 + Pick(rng, 18));
    if (Chance(rng, 10)) body += Chance(rng, 2) ? "  " : " \t";  // trailing WSP, dropped by relaxed
    body += "\r\n";
  }
  body.resize(size - 2);
  if (!body.empty() && body.back() == '\r') body.back() = '.';  // do not split a CRLF in two
  body += "\r\n";
  return body;
}

verifier::HeaderField MakeTraceField(std::mt19937_64& rng) {
  return {
      "Received",
      Cat({" from submit.bench.example (submit.bench.example [192.0.2.25])\r\n"
           "\tby mx.recipient.example (Postfix) with ESMTPS id ",
           Hex(rng, 10), "\r\n\tfor <inbox@recipient.example>; Thu,  1 Jan 2026 00:00:01 +0000"})};
}

namespace {

std::optional<verifier::PkeyPtr> KeyFor(KeyAlg alg) {
  switch (alg) {
    case KeyAlg::kRsa2048:
      return tools::GenerateKey(tools::KeyKind::kRsa, 2048);
    case KeyAlg::kRsa1024:
      return tools::GenerateKey(tools::KeyKind::kRsa, 1024);
    case KeyAlg::kEd25519:
      return tools::GenerateKey(tools::KeyKind::kEd25519, 0);
  }
  return std::nullopt;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "corpus: %s\n", what.c_str());
  std::abort();
}

}  // namespace

std::string_view Name(KeyAlg alg) {
  switch (alg) {
    case KeyAlg::kRsa2048:
      return "rsa2048";
    case KeyAlg::kRsa1024:
      return "rsa1024";
    case KeyAlg::kEd25519:
      return "ed25519";
  }
  return "rsa2048";
}

verifier::Algorithm SigningAlgorithm(KeyAlg alg) {
  return alg == KeyAlg::kEd25519 ? verifier::Algorithm::kEd25519Sha256
                                 : verifier::Algorithm::kRsaSha256;
}

size_t CorpusMessage::header_bytes() const {
  size_t bytes = 0;
  for (const verifier::HeaderField& field : headers) {
    bytes += field.name.size() + 1 + field.value.size() + 2;
  }
  return bytes;
}

Corpus::Corpus(uint64_t seed) : seed_(seed) {
  for (KeyAlg alg : kAllKeyAlgs) {
    auto key = KeyFor(alg);
    if (!key) Die(Cat({"key generation failed for ", Name(alg)}));
    const auto i = static_cast<size_t>(alg);
    keys_[i] = std::move(*key);
    records_[i] = tools::PublicKeyRecord(keys_[i].get());
    zone_text_ += tools::ZoneLine(Name(alg), kDomain, records_[i]) + "\n";
  }
}

CorpusMessage Corpus::Make(KeyAlg alg, size_t body_bytes, uint64_t index) const {
  // Every (alg, size, index) has its own stream, so a message does not depend on which
  // others were made before it.
  std::seed_seq seq{static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32),
                    static_cast<uint32_t>(alg),   static_cast<uint32_t>(body_bytes),
                    static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32)};
  std::mt19937_64 rng(seq);

  CorpusMessage message;
  message.alg = alg;
  std::vector<verifier::HeaderField> signed_part = MakeSignedFields(rng, kDomain);
  message.body = MakeBody(rng, body_bytes);

  verifier::SignRequest request;  // relaxed/relaxed, the usual header set
  request.algorithm = SigningAlgorithm(alg);
  request.domain = std::string(kDomain);
  request.selector = std::string(Name(alg));
  request.timestamp = static_cast<uint64_t>(kSignTime);
  auto signature = verifier::SignMessage(request, keys_[static_cast<size_t>(alg)].get(),
                                         signed_part, message.body);
  if (!signature) Die("signing failed: " + signature.error().detail);

  // The receiving MX prepends its own trace field above the signature.
  message.headers.push_back(MakeTraceField(rng));
  message.headers.push_back({"DKIM-Signature", *signature});
  for (verifier::HeaderField& field : signed_part) message.headers.push_back(std::move(field));
  return message;
}

std::string CorpusMessage::text() const {
  std::string out;
  out.reserve(total_bytes());
  for (const verifier::HeaderField& field : headers) {
    out.append(field.name).append(":").append(field.value).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

VerifyTally Verify(int64_t now, const verifier::VerifyOptions& options, dns::Resolver& resolver,
                   const CorpusMessage& message) {
  constexpr size_t kChunkBytes = 64 * 1024;  // a milter body callback carries at most this
  verifier::DkimVerifier verifier(options, resolver);
  for (const verifier::HeaderField& field : message.headers) verifier.OnHeader(field.name, field.value);
  verifier.OnEndOfHeaders(now);
  std::string_view body = message.body;
  for (size_t offset = 0; offset < body.size(); offset += kChunkBytes) {
    verifier.OnBodyChunk(body.substr(offset, kChunkBytes));
  }
  VerifyTally tally;
  for (const verifier::DkimVerdict& verdict : verifier.OnEndOfMessage()) {
    ++tally.signatures;
    if (verdict.result == verifier::DkimResult::kPass) ++tally.passed;
  }
  return tally;
}

bool VerifyOnce(int64_t now, const verifier::VerifyOptions& options, dns::Resolver& resolver,
                const CorpusMessage& message) {
  VerifyTally tally = Verify(now, options, resolver, message);
  return tally.signatures == 1 && tally.passed == 1;
}

}  // namespace kenin::bench
