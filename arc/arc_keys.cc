#include "arc/arc_keys.h"

namespace kenin::arc {
namespace {

using ParsedKeys = std::vector<verifier::Result<verifier::KeyRecord>>;

std::string JoinStrings(const dns::Record& record) {
  std::string joined;  // RFC 6376 §3.6.2.2: strings of one record concatenated, no separator
  for (const std::string& s : record.strings) joined += s;
  return joined;
}

// The same words as the DKIM verifier's mapping (dkim_verifier.cc), without its temperror:
// RFC 8617 §5.2.1 makes a DNS failure as final as any other.
std::optional<std::string> DnsProblem(const dns::Result<dns::Answer>& answer) {
  if (!answer) return "key lookup failed: " + answer.error().detail;
  switch (answer->rcode) {
    case dns::Rcode::kNoError:
      if (answer->records.empty()) return "no key record";
      return std::nullopt;
    case dns::Rcode::kNxDomain:
      return "no key for signature (NXDOMAIN)";
    case dns::Rcode::kServFail:
      return "key lookup failed: SERVFAIL";
    case dns::Rcode::kRefused:
      return "key lookup failed: REFUSED";
  }
  return "key lookup failed";
}

// RFC 6376 §3.6.1 k=, h=, s= (§6.1.2: the key type must match the signing algorithm). t=s
// concerns the AUID, which ARC signatures do not have.
std::optional<std::string> MisfitProblem(const verifier::KeyRecord& key,
                                         verifier::Algorithm algorithm) {
  if (key.type != verifier::KeyTypeOf(algorithm)) return "key type does not match a=";
  verifier::HashAlgorithm hash = verifier::HashOf(algorithm);
  if (!key.AllowsHash(hash)) return "key h= does not allow " + std::string(ToString(hash));
  if (!key.AllowsEmail()) return "key s= does not allow email";
  return std::nullopt;
}

}  // namespace

dns::Question KeyQuestion(std::string_view selector, std::string_view domain) {
  return dns::Question{std::string(selector) + "._domainkey." + std::string(domain),
                       dns::RecordType::kTxt};
}

tl::expected<UsableKeys, std::string> FindUsableKeys(const dns::Result<dns::Answer>& answer,
                                                     verifier::Algorithm algorithm,
                                                     const verifier::KeyOptions& options) {
  if (auto problem = DnsProblem(answer)) return tl::unexpected(*problem);
  // Parsed at any size, as the DKIM verifier does, so both share the memo's value; the size
  // limits of these options apply afterwards.
  UsableKeys usable;
  usable.parsed = answer->memo->GetOrCompute<ParsedKeys>([&answer] {
    ParsedKeys parsed;
    const verifier::KeyOptions any_size{.min_rsa_bits = 0, .max_rsa_bits = UINT32_MAX};
    for (const dns::Record& record : answer->records) {
      parsed.push_back(verifier::ParseKeyRecord(JoinStrings(record), any_size));
    }
    return parsed;
  });
  std::optional<std::string> first_problem;
  for (const verifier::Result<verifier::KeyRecord>& key : *usable.parsed) {
    std::optional<std::string> problem;
    if (!key) {
      problem = key.error().detail;
    } else if (auto size = verifier::CheckKeySize(*key, options); !size) {
      problem = size.error().detail;
    } else {
      problem = MisfitProblem(*key, algorithm);
    }
    if (!problem) {
      usable.keys.push_back(&*key);
    } else if (!first_problem) {
      first_problem = std::move(problem);
    }
  }
  if (usable.keys.empty()) return tl::unexpected(first_problem.value_or("no usable key"));
  return usable;
}

bool VerifiesWithAny(const UsableKeys& keys, verifier::Algorithm algorithm, std::string_view digest,
                     std::string_view signature) {
  for (const verifier::KeyRecord* key : keys.keys) {
    if (verifier::VerifyDigest(*key, algorithm, digest, signature)) return true;
  }
  return false;
}

}  // namespace kenin::arc
