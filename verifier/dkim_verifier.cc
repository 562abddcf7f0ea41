// Order of judgement for one signature (RFC 6376 §6.1):
//  1. the field parses and passes the §6.1.1 checks (else permerror, from ParseSignature);
//  2. t= not in the future and x= not past, both with clock skew (else policy);
//  3. a key record: DNS failure is temperror, NXDOMAIN/NODATA permerror (§6.1.2);
//  4. the key fits the signature: k=, h=, s=, t=s (else permerror);
//  5. the body hash matches bh= (else fail);
//  6. the signature over the header data verifies with the key (else fail).
// Several TXT records at the key name: each that parses as a key is tried (SPEC §2); the
// first pass wins, otherwise the verdict of the first usable key is reported.
// Our resource bounds come first: a header block over max_header_bytes makes every signature
// permerror, those past max_signatures are permerror "too many signatures", h= over
// max_signed_headers fails step 1, and a key unanswered at the end-of-message deadline is
// temperror "time budget exhausted".
#include "verifier/dkim_verifier.h"

#include "verifier/header_hash.h"

namespace kenin::verifier {
namespace {

constexpr std::string_view kSignatureField = "DKIM-Signature";
constexpr size_t kFieldFraming = 3;  // ':' and CRLF: a field's wire octets besides name and value
using ParsedKeys = std::vector<Result<KeyRecord>>;  // one per TXT record of the key name

std::string JoinStrings(const dns::Record& record) {
  std::string joined;  // RFC 6376 §3.6.2.2: strings of one record concatenated, no separator
  for (const std::string& s : record.strings) joined += s;
  return joined;
}

DkimVerdict MakeVerdict(DkimResult result, std::string reason, const SignatureIds& ids) {
  DkimVerdict verdict;
  verdict.result = result;
  verdict.reason = std::move(reason);
  verdict.ids = ids;
  return verdict;
}

// The one mapping from a key lookup's DNS outcome to a verdict (RFC 6376 §6.1.2, RFC 8601):
// nullopt when there are records to parse.
std::optional<DkimVerdict> DnsVerdict(const dns::Result<dns::Answer>& answer,
                                      const SignatureIds& ids) {
  if (!answer) {
    return MakeVerdict(DkimResult::kTempError, "key lookup failed: " + answer.error().detail, ids);
  }
  switch (answer->rcode) {
    case dns::Rcode::kNoError:
      if (answer->records.empty()) return MakeVerdict(DkimResult::kPermError, "no key record", ids);
      return std::nullopt;
    case dns::Rcode::kNxDomain:
      return MakeVerdict(DkimResult::kPermError, "no key for signature (NXDOMAIN)", ids);
    case dns::Rcode::kServFail:
      return MakeVerdict(DkimResult::kTempError, "key lookup failed: SERVFAIL", ids);
    case dns::Rcode::kRefused:
      return MakeVerdict(DkimResult::kTempError, "key lookup failed: REFUSED", ids);
  }
  return MakeVerdict(DkimResult::kTempError, "key lookup failed", ids);
}

}  // namespace

struct DkimVerifier::Candidate {
  size_t field = 0;  // its index among the header fields (while the header is kept)
  SignatureIds ids;
  std::string_view field_name;  // as written in the message (in header_bytes_), for simple
  std::optional<DkimSignature> signature;
  std::optional<DkimVerdict> early;  // decided before DNS and body: parse, time, limits
  size_t hasher = 0;
  dns::AnswerFuture key;
};

DkimVerifier::DkimVerifier(const VerifyOptions& options, dns::Resolver& resolver)
    : options_(options), resolver_(resolver) {}

DkimVerifier::~DkimVerifier() = default;

void DkimVerifier::OnHeader(std::string_view name, std::string_view value) {
  header_size_ += name.size() + value.size() + kFieldFraming;
  if (!header_dropped_ && header_size_ > options_.max_header_bytes) DropHeader();
  if (FieldNameEquals(name, kSignatureField)) {
    if (candidates_.size() < kMaxListedSignatures) {
      candidates_.emplace_back().field = field_sizes_.size();
    } else {
      ++unlisted_signatures_;
    }
  }
  if (header_dropped_) return;
  if (header_bytes_.empty()) {
    header_bytes_.reserve(4096);  // most headers fit: one allocation each
    field_sizes_.reserve(32);
  }
  header_bytes_.append(name).append(value);
  field_sizes_.push_back({name.size(), value.size()});
}

// The header went over max_header_bytes: no signature can be verified any more. What the
// report needs of the signatures kept so far (their ids) is taken; the rest is freed, and
// from here on fields are only counted.
void DkimVerifier::DropHeader() {
  header_dropped_ = true;
  std::vector<std::string_view> values;
  values.reserve(field_sizes_.size());
  std::string_view bytes = header_bytes_;
  for (const FieldSizes& sizes : field_sizes_) {
    values.push_back(bytes.substr(sizes.name_size, sizes.value_size));
    bytes.remove_prefix(sizes.name_size + sizes.value_size);
  }
  for (Candidate& candidate : candidates_) candidate.ids = ExtractIds(values[candidate.field]);
  std::string().swap(header_bytes_);
  std::vector<FieldSizes>().swap(field_sizes_);
}

void DkimVerifier::OnEndOfHeaders(int64_t now) {
  if (header_dropped_) {
    const std::string reason =
        "header block over " + std::to_string(options_.max_header_bytes) + " bytes";
    for (Candidate& candidate : candidates_) {
      candidate.early = MakeVerdict(DkimResult::kPermError, reason, candidate.ids);
    }
    return;
  }
  fields_.reserve(field_sizes_.size());
  std::string_view bytes = header_bytes_;
  for (const FieldSizes& sizes : field_sizes_) {
    fields_.push_back(
        {bytes.substr(0, sizes.name_size), bytes.substr(sizes.name_size, sizes.value_size)});
    bytes.remove_prefix(sizes.name_size + sizes.value_size);
  }
  ParseCandidates(now);
}

void DkimVerifier::ParseCandidates(int64_t now) {
  // A BodyHasher carries its 8 KiB batch buffer: room for one per signature up front, so
  // the vector never grows by copying them.
  hashers_.reserve(std::min(candidates_.size(), options_.max_signatures));
  for (size_t index = 0; index < candidates_.size(); ++index) {
    Candidate& candidate = candidates_[index];
    const HeaderFieldView& field = fields_[candidate.field];
    candidate.field_name = field.name;
    if (index >= options_.max_signatures) {
      candidate.ids = ExtractIds(field.value);
      candidate.early = MakeVerdict(DkimResult::kPermError, "too many signatures", candidate.ids);
      continue;
    }
    auto parsed = ParseSignature(field.value, options_.signature);
    if (!parsed) {
      candidate.ids = ExtractIds(field.value);  // best effort, for the report
      candidate.early = ToVerdict(parsed.error(), candidate.ids);
      continue;
    }
    candidate.ids = parsed->ids;
    const auto skew = static_cast<uint64_t>(options_.clock_skew_seconds);
    const auto now_u = static_cast<uint64_t>(std::max<int64_t>(now, 0));
    // RFC 6376 §3.5 t=/x=: a signature from the future or past its expiry MAY be treated
    // as invalid. We report `policy`: the bytes may verify, our time policy rejects them.
    if (parsed->timestamp && *parsed->timestamp > now_u + skew) {
      candidate.early = MakeVerdict(DkimResult::kPolicy, "signature timestamp in the future", candidate.ids);
      continue;
    }
    if (parsed->expiration && *parsed->expiration + skew < now_u) {
      candidate.early = MakeVerdict(DkimResult::kPolicy, "signature expired", candidate.ids);
      continue;
    }
    candidate.hasher = HasherFor(*parsed);
    candidate.key = resolver_.Lookup(
        dns::Question{parsed->selector + "._domainkey." + parsed->domain, dns::RecordType::kTxt});
    candidate.signature = std::move(*parsed);
  }
}

std::vector<std::string> DkimVerifier::PendingSignatureDomains() const {
  std::vector<std::string> domains;
  for (const Candidate& candidate : candidates_) {
    if (candidate.signature) domains.push_back(candidate.signature->domain);
  }
  return domains;
}

size_t DkimVerifier::HasherFor(const DkimSignature& sig) {
  // One hasher per distinct (canonicalization, hash, l=): signatures that agree share it.
  for (size_t i = 0; i < hashers_.size(); ++i) {
    const BodyHasher& h = hashers_[i];
    if (h.canon() == sig.body_canon && h.hash() == HashOf(sig.algorithm) &&
        h.limit() == sig.body_length) {
      return i;
    }
  }
  hashers_.emplace_back(sig.body_canon, HashOf(sig.algorithm), sig.body_length);
  return hashers_.size() - 1;
}

void DkimVerifier::OnBodyChunk(std::string_view chunk) {
  for (BodyHasher& hasher : hashers_) hasher.Update(chunk);
}

std::vector<DkimVerdict> DkimVerifier::OnEndOfMessage(std::optional<Deadline> deadline) {
  std::vector<std::string> body_hashes;
  body_hashes.reserve(hashers_.size());
  for (BodyHasher& hasher : hashers_) body_hashes.push_back(hasher.Finish());
  std::vector<DkimVerdict> verdicts;
  verdicts.reserve(candidates_.size() + 1);
  for (Candidate& candidate : candidates_) {
    verdicts.push_back(Evaluate(candidate, body_hashes, deadline));
  }
  if (unlisted_signatures_ > 0) {
    verdicts.push_back(MakeVerdict(
        DkimResult::kPermError,
        std::to_string(unlisted_signatures_) + " more signatures not listed", SignatureIds{}));
  }
  return verdicts;
}

DkimVerdict DkimVerifier::Evaluate(Candidate& candidate, std::vector<std::string>& body_hashes,
                                   const std::optional<Deadline>& deadline) {
  if (candidate.early) return *candidate.early;
  // A deferred future (tests) reports `deferred` here and is answered by get() below.
  if (deadline && candidate.key.wait_until(*deadline) == std::future_status::timeout) {
    return MakeVerdict(DkimResult::kTempError, std::string(kTimeBudgetExhausted), candidate.ids);
  }
  const dns::Result<dns::Answer>& answer = candidate.key.get();
  if (auto verdict = DnsVerdict(answer, candidate.ids)) return *verdict;
  DkimVerdict verdict = EvaluateKeys(candidate, *answer, body_hashes[candidate.hasher]);
  // The resolver's AD bit for the key record travels with the verdict; whether it is
  // believed is the operator's choice (policy/dkim_local_policy.h, [dns] trust_ad).
  verdict.key_dnssec = answer->authenticated;
  return verdict;
}

DkimVerdict DkimVerifier::EvaluateKeys(const Candidate& candidate, const dns::Answer& answer,
                                       const std::string& body_hash) {

  // Keys are decoded once per answer (per TTL, with a cache in front), not once per
  // message: decoding an RSA key costs more than verifying with it. Size limits are options
  // of this verifier, so they are applied after the shared decode.
  auto keys = answer.memo->GetOrCompute<ParsedKeys>([&answer] {
    ParsedKeys parsed;
    const KeyOptions any_size{.min_rsa_bits = 0, .max_rsa_bits = UINT32_MAX};
    for (const dns::Record& record : answer.records) {
      parsed.push_back(ParseKeyRecord(JoinStrings(record), any_size));
    }
    return parsed;
  });
  std::optional<DkimVerdict> first;
  std::optional<Error> first_error;
  for (const Result<KeyRecord>& key : *keys) {
    Result<void> usable = key ? CheckKeySize(*key, options_.key) : tl::unexpected(key.error());
    if (!usable) {
      if (!first_error) first_error = usable.error();
      continue;
    }
    DkimVerdict verdict = Check(candidate, *key, body_hash);
    if (verdict.result == DkimResult::kPass) return verdict;
    if (!first) first = std::move(verdict);
  }
  if (first) return *first;
  return ToVerdict(*first_error, candidate.ids);
}

DkimVerdict DkimVerifier::Check(const Candidate& candidate, const KeyRecord& key,
                                const std::string& body_hash) {
  const DkimSignature& sig = *candidate.signature;
  SignatureIds ids = candidate.ids;
  ids.key_bits = key.bits;
  ids.key_type = key.type == KeyType::kEd25519 ? "ed25519" : "rsa";
  auto verdict = [&](DkimResult result, std::string reason) {
    DkimVerdict v = MakeVerdict(result, std::move(reason), ids);
    v.key_testing = key.testing;
    v.body_truncated = hashers_[candidate.hasher].truncated();
    v.body_length = sig.body_length;
    return v;
  };
  // RFC 6376 §3.6.1 k=, §6.1.2: the key type must match the signing algorithm.
  if (key.type != KeyTypeOf(sig.algorithm)) {
    return verdict(DkimResult::kPermError, "key type does not match a=");
  }
  if (!key.AllowsHash(HashOf(sig.algorithm))) {
    return verdict(DkimResult::kPermError, "key h= does not allow " + std::string(ToString(HashOf(sig.algorithm))));
  }
  if (!key.AllowsEmail()) return verdict(DkimResult::kPermError, "key s= does not allow email");
  if (key.strict_identity) {
    // RFC 6376 §3.6.1 t=s: the i= domain must be exactly d=.
    std::string_view identity = sig.identity;
    std::string_view identity_domain = identity.substr(identity.rfind('@') + 1);
    if (!EqualsIgnoreCase(identity_domain, sig.domain)) {
      return verdict(DkimResult::kPermError, "key t=s forbids an i= subdomain");
    }
  }
  // RFC 6376 §6.1.3: the body hash first, then the signature.
  if (body_hash != sig.body_hash) {
    const BodyHasher& hasher = hashers_[candidate.hasher];
    if (sig.body_length && hasher.canonical_length() < *sig.body_length) {
      return verdict(DkimResult::kFail, "body shorter than l=");
    }
    return verdict(DkimResult::kFail, "body hash did not verify");
  }
  std::string data = CanonicalHeaderData(fields_, sig.signed_headers, sig.header_canon,
                                         candidate.field_name, sig.value_without_b);
  std::string digest = HashBytes(HashOf(sig.algorithm), data);
  if (!VerifyDigest(key, sig.algorithm, digest, sig.signature)) {
    return verdict(DkimResult::kFail, "signature did not verify");
  }
  return verdict(DkimResult::kPass, "");
}

}  // namespace kenin::verifier
