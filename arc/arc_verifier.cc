// Order of judgement (RFC 8617 §5.2; every failure is final, §5.2.1):
//  1. no ARC field at all: none. A field whose instance cannot be read, or more ARC fields
//     than 50 sets can hold: fail (step 1).
//  2. the newest ARC-Seal says cv=fail: fail (step 2).
//  3. the form: one AAR, AMS and AS per instance, instances 1..N without gaps (steps 3.1,
//     3.2); every ARC-Seal parses (§4.1.3); cv=none at 1 and pass above (step 3.3); the
//     newest AMS parses (§4.1.2); no signature dated in the future or expired. All decided
//     at end of headers: such a chain costs no DNS lookup and no body hashing.
//  4. the newest AMS verifies: its key, body hash, then signature, as DKIM (step 4).
//  5. every ARC-Seal verifies, newest first (step 6). Done before oldest-pass: the order does
//     not change the result, and a chain failing here needs no oldest-pass.
//  6. pass, with oldest-pass (step 5): older AMSs checked downwards until one fails.
#include "arc/arc_verifier.h"

#include <algorithm>
#include <span>

#include "arc/arc_keys.h"
#include "arc/seal_hash.h"
#include "verifier/digest.h"
#include "verifier/header_hash.h"

namespace kenin::arc {
namespace {

// 50 sets of three fields: more cannot be a valid chain, so they are not even parsed.
constexpr size_t kMaxArcFields = 3 * kMaxInstance;

ArcVerdict Verdict(ArcResult result, std::string reason) {
  ArcVerdict verdict;
  verdict.result = result;
  verdict.reason = std::move(reason);
  return verdict;
}

std::string About(ArcFieldKind kind, int instance, std::string_view detail) {
  return std::string(FieldName(kind)) + " i=" + std::to_string(instance) + ": " +
         std::string(detail);
}

// RFC 6376 §3.5 t= and x=, which ARC signatures share: a signature from the future or past
// its expiry is not accepted (the DKIM verifier's `policy`; for ARC, a failure).
std::optional<std::string> TimeProblem(std::optional<uint64_t> timestamp,
                                       std::optional<uint64_t> expiration, int64_t now,
                                       int64_t skew_seconds) {
  const auto skew = static_cast<uint64_t>(std::max<int64_t>(skew_seconds, 0));
  const auto now_u = static_cast<uint64_t>(std::max<int64_t>(now, 0));
  if (timestamp && *timestamp > now_u + skew) return "timestamp in the future";
  if (expiration && *expiration + skew < now_u) return "signature expired";
  return std::nullopt;
}

}  // namespace

struct ArcVerifier::SetState {
  ArcAuthResults auth_results;
  ArcSeal seal;
  std::optional<ArcMessageSignature> signature;  // when the AMS parsed and is in date
  std::string signature_problem;                 // otherwise, why not
  bool signature_checked = false;  // the newest, and older ones within the oldest-pass depth
  size_t hasher = 0;
  dns::AnswerFuture signature_key;
  dns::AnswerFuture seal_key;
};

ArcVerifier::ArcVerifier(const ArcOptions& options, dns::Resolver& resolver)
    : options_(options), resolver_(resolver) {}

ArcVerifier::~ArcVerifier() = default;

void ArcVerifier::OnHeader(std::string_view name, std::string_view value) {
  if (header_bytes_.empty()) {
    header_bytes_.reserve(4096);  // most headers fit: one allocation each
    field_sizes_.reserve(32);
  }
  header_bytes_.append(name).append(value);
  field_sizes_.emplace_back(name.size(), value.size());
}

void ArcVerifier::BuildFieldViews() {
  fields_.reserve(field_sizes_.size());
  std::string_view bytes = header_bytes_;
  for (auto [name_size, value_size] : field_sizes_) {
    fields_.push_back({bytes.substr(0, name_size), bytes.substr(name_size, value_size)});
    bytes.remove_prefix(name_size + value_size);
  }
}

void ArcVerifier::OnEndOfHeaders(int64_t now) {
  BuildFieldViews();
  decided_ = CheckForm(now);
  if (!decided_) StartChecks();
}

std::optional<ArcVerdict> ArcVerifier::CheckForm(int64_t now) {
  std::vector<ArcFieldRef> refs;
  if (auto decided = CollectFields(refs)) return decided;
  auto grouped = GroupIntoSets(refs);  // step 3.1 and 3.2
  if (!grouped) return Verdict(ArcResult::kFail, grouped.error());
  set_fields_ = std::move(*grouped);
  if (auto decided = ParseSets(now)) return decided;
  // Step 4 starts here: the newest AMS must be usable at all.
  if (!sets_.back().signature) {
    return Verdict(ArcResult::kFail,
                   About(ArcFieldKind::kMessageSignature, static_cast<int>(sets_.size()),
                         sets_.back().signature_problem));
  }
  return std::nullopt;
}

std::optional<ArcVerdict> ArcVerifier::CollectFields(std::vector<ArcFieldRef>& refs) const {
  // Step 1: the ARC fields, counted before any is parsed, and the instance each claims.
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::optional<ArcFieldKind> kind = ArcFieldKindOf(fields_[i].name);
    if (kind) refs.push_back({*kind, 0, i});
  }
  if (refs.empty()) return Verdict(ArcResult::kNone, "no ARC header fields");
  if (refs.size() > kMaxArcFields) {
    return Verdict(ArcResult::kFail, "more than " + std::to_string(kMaxArcFields) +
                                         " ARC header fields (50 ARC Sets at most)");
  }
  int newest = 0;
  for (ArcFieldRef& ref : refs) {
    auto instance = ReadInstance(ref.kind, fields_[ref.field].value);
    if (!instance) {
      return Verdict(ArcResult::kFail, std::string(FieldName(ref.kind)) +
                                           " without a valid instance: " + instance.error().detail);
    }
    ref.instance = *instance;
    newest = std::max(newest, *instance);
  }
  // Step 2: a chain its last sealer already found failed stays failed.
  for (const ArcFieldRef& ref : refs) {
    if (ref.kind != ArcFieldKind::kSeal || ref.instance != newest) continue;
    auto seal = ParseSeal(fields_[ref.field].value, options_.signature);
    if (seal && seal->cv == ChainStatus::kFail) {
      return Verdict(ArcResult::kFail, "ARC-Seal i=" + std::to_string(newest) + " reports cv=fail");
    }
  }
  return std::nullopt;
}

std::optional<ArcVerdict> ArcVerifier::ParseSets(int64_t now) {
  sets_.resize(set_fields_.size());
  std::vector<ChainStatus> statuses;
  for (size_t k = 0; k < sets_.size(); ++k) {
    const int instance = static_cast<int>(k + 1);
    SetState& set = sets_[k];
    // Read once already by ReadInstance, so it parses.
    set.auth_results = *ParseAuthResults(fields_[set_fields_[k].auth_results].value);
    auto seal = ParseSeal(fields_[set_fields_[k].seal].value, options_.signature);
    if (!seal) {
      return Verdict(ArcResult::kFail, About(ArcFieldKind::kSeal, instance, seal.error().detail));
    }
    if (auto problem =
            TimeProblem(seal->timestamp, std::nullopt, now, options_.clock_skew_seconds)) {
      return Verdict(ArcResult::kFail, About(ArcFieldKind::kSeal, instance, *problem));
    }
    set.seal = std::move(*seal);
    statuses.push_back(set.seal.cv);
    // An older AMS that is unusable does not fail the chain: it only ends oldest-pass.
    auto signature =
        ParseMessageSignature(fields_[set_fields_[k].message_signature].value, options_.signature);
    if (!signature) {
      set.signature_problem = signature.error().detail;
    } else if (auto problem =
                   TimeProblem(signature->signature.timestamp, signature->signature.expiration, now,
                               options_.clock_skew_seconds)) {
      set.signature_problem = *problem;
    } else {
      set.signature = std::move(*signature);
    }
  }
  // Step 3.3.
  if (auto problem = CheckChainStatuses(statuses)) return Verdict(ArcResult::kFail, *problem);
  return std::nullopt;
}

void ArcVerifier::StartChecks() {
  verdict_.instances = static_cast<int>(sets_.size());
  verdict_.remote_ip = sets_.back().auth_results.remote_ip;
  verdict_.sets.resize(sets_.size());
  const auto depth = static_cast<size_t>(std::max(options_.max_older_signatures, 0));
  for (size_t k = sets_.size(); k-- > 0;) {
    SetState& set = sets_[k];
    ArcSetInfo info;
    info.instance = static_cast<int>(k + 1);
    info.authserv_id = set.auth_results.authserv_id;
    info.auth_results = set.auth_results.payload;
    info.seal_domain = set.seal.domain;
    info.seal_selector = set.seal.selector;
    if (set.signature) {
      info.signature_domain = set.signature->signature.domain;
      info.signature_selector = set.signature->signature.selector;
    }
    verdict_.sets[k] = std::move(info);

    set.seal_key = LookupKey(set.seal.selector, set.seal.domain);
    const bool within_depth = k + 1 == sets_.size() || sets_.size() - 1 - k <= depth;
    set.signature_checked = within_depth;
    if (within_depth && set.signature) {
      const verifier::DkimSignature& signature = set.signature->signature;
      set.hasher = HasherFor(signature);
      set.signature_key = LookupKey(signature.selector, signature.domain);
    }
  }
}

dns::AnswerFuture ArcVerifier::LookupKey(std::string_view selector, std::string_view domain) {
  dns::Question question = KeyQuestion(selector, domain);
  auto [it, inserted] = lookups_.try_emplace(dns::NormalizeName(question.name));
  if (inserted) it->second = resolver_.Lookup(question);
  return it->second;
}

size_t ArcVerifier::HasherFor(const verifier::DkimSignature& signature) {
  // One hasher per distinct (canonicalization, hash, l=), as in the DKIM verifier.
  for (size_t i = 0; i < hashers_.size(); ++i) {
    const verifier::BodyHasher& h = hashers_[i];
    if (h.canon() == signature.body_canon && h.hash() == verifier::HashOf(signature.algorithm) &&
        h.limit() == signature.body_length) {
      return i;
    }
  }
  hashers_.emplace_back(signature.body_canon, verifier::HashOf(signature.algorithm),
                        signature.body_length);
  return hashers_.size() - 1;
}

void ArcVerifier::OnBodyChunk(std::string_view chunk) {
  for (verifier::BodyHasher& hasher : hashers_) hasher.Update(chunk);
}

ArcVerdict ArcVerifier::OnEndOfMessage() {
  if (decided_) return *decided_;
  if (sets_.empty()) return Verdict(ArcResult::kNone, "no ARC header fields");  // no EOH seen
  std::vector<std::string> body_hashes;
  body_hashes.reserve(hashers_.size());
  for (verifier::BodyHasher& hasher : hashers_) body_hashes.push_back(hasher.Finish());
  ArcVerdict verdict = std::move(verdict_);
  auto fail = [&verdict](std::string reason) {
    verdict.result = ArcResult::kFail;
    verdict.reason = std::move(reason);
    return verdict;
  };
  const int newest = verdict.instances;
  if (auto problem = CheckSignature(sets_.back(), body_hashes)) {
    return fail(About(ArcFieldKind::kMessageSignature, newest, *problem));
  }
  for (size_t k = sets_.size(); k-- > 0;) {
    if (auto problem = CheckSeal(k)) {
      return fail(About(ArcFieldKind::kSeal, static_cast<int>(k + 1), *problem));
    }
  }
  verdict.result = ArcResult::kPass;
  verdict.oldest_pass = 0;  // every AMS verifies, unless one below does not
  for (size_t k = sets_.size() - 1; k-- > 0;) {
    if (!sets_[k].signature_checked) {
      verdict.oldest_pass.reset();  // the depth limit came first: not determined
      break;
    }
    if (CheckSignature(sets_[k], body_hashes)) {
      verdict.oldest_pass = static_cast<int>(k + 2);  // M fails: oldest-pass is M+1
      break;
    }
  }
  return verdict;
}

std::optional<std::string> ArcVerifier::CheckSignature(
    const SetState& set, const std::vector<std::string>& body_hashes) const {
  if (!set.signature) return set.signature_problem;
  const verifier::DkimSignature& signature = set.signature->signature;
  auto keys = FindUsableKeys(set.signature_key.get(), signature.algorithm, options_.key);
  if (!keys) return keys.error();
  // RFC 6376 §6.1.3: the body hash first, then the signature over the header.
  if (body_hashes[set.hasher] != signature.body_hash) return "body hash did not verify";
  const size_t field =
      set_fields_[static_cast<size_t>(set.signature->instance - 1)].message_signature;
  std::string data =
      verifier::CanonicalHeaderData(fields_, signature.signed_headers, signature.header_canon,
                                    fields_[field].name, signature.value_without_b);
  std::string digest = verifier::HashBytes(verifier::HashOf(signature.algorithm), data);
  if (!VerifiesWithAny(*keys, signature.algorithm, digest, signature.signature)) {
    return "signature did not verify";
  }
  return std::nullopt;
}

std::optional<std::string> ArcVerifier::CheckSeal(size_t index) const {
  const ArcSeal& seal = sets_[index].seal;
  auto keys = FindUsableKeys(sets_[index].seal_key.get(), seal.algorithm, options_.key);
  if (!keys) return keys.error();
  std::string data = SealHeaderData(
      fields_, std::span<const ArcSetFields>(set_fields_).first(index + 1), seal.value_without_b);
  std::string digest = verifier::HashBytes(verifier::HashOf(seal.algorithm), data);
  if (!VerifiesWithAny(*keys, seal.algorithm, digest, seal.signature)) {
    return "signature did not verify";
  }
  return std::nullopt;
}

}  // namespace kenin::arc
