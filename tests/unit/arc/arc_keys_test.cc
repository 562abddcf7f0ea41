// Key answers for ARC signatures: every DNS outcome and key misfit becomes a reason (RFC 8617
// §5.2.1: all failures are permanent), usable keys are found among garbage records, and a key
// is parsed once per answer.
#include "arc/arc_keys.h"

#include <gtest/gtest.h>

#include "tests/unit/verifier/test_keys.h"
#include "verifier/digest.h"
#include "verifier/signer.h"

namespace kenin::arc {
namespace {

using testkeys::Ed25519Key;
using testkeys::KeyRecordText;
using testkeys::RsaKey;
using verifier::Algorithm;

dns::Result<dns::Answer> TxtAnswer(std::vector<std::string> records) {
  dns::Answer answer;
  for (std::string& text : records) answer.records.push_back({{std::move(text)}, 300});
  return answer;
}

std::string Problem(const dns::Result<dns::Answer>& answer,
                    Algorithm algorithm = Algorithm::kRsaSha256) {
  auto keys = FindUsableKeys(answer, algorithm, {});
  return keys ? "" : keys.error();
}

TEST(KeyQuestion, DomainkeyName) {
  EXPECT_EQ(KeyQuestion("arc", "lists.example").name, "arc._domainkey.lists.example");
  EXPECT_EQ(KeyQuestion("arc", "lists.example").type, dns::RecordType::kTxt);
}

TEST(FindUsableKeys, DnsOutcomesAreReasons) {
  EXPECT_EQ(Problem(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "timed out"})),
            "key lookup failed: timed out");
  dns::Answer nx;
  nx.rcode = dns::Rcode::kNxDomain;
  EXPECT_EQ(Problem(nx), "no key for signature (NXDOMAIN)");
  dns::Answer servfail;
  servfail.rcode = dns::Rcode::kServFail;
  EXPECT_EQ(Problem(servfail), "key lookup failed: SERVFAIL");
  EXPECT_EQ(Problem(dns::Answer{}), "no key record");
}

TEST(FindUsableKeys, KeysThatDoNotFit) {
  EVP_PKEY* rsa = RsaKey(1024);
  EXPECT_EQ(Problem(TxtAnswer({KeyRecordText(Ed25519Key())})), "key type does not match a=");
  EXPECT_EQ(Problem(TxtAnswer({KeyRecordText(rsa, "h=sha1; ")})), "key h= does not allow sha256");
  EXPECT_EQ(Problem(TxtAnswer({KeyRecordText(rsa, "s=web; ")})), "key s= does not allow email");
  EXPECT_NE(Problem(TxtAnswer({KeyRecordText(RsaKey(512))})).find("too small"), std::string::npos);
  EXPECT_NE(Problem(TxtAnswer({"v=DKIM1; k=rsa; p="})), "");
  EXPECT_EQ(Problem(TxtAnswer({KeyRecordText(Ed25519Key())}), Algorithm::kEd25519Sha256), "");
}

TEST(FindUsableKeys, GarbageBesideAGoodKeyAndSharedParse) {
  EVP_PKEY* rsa = RsaKey(1024);
  auto answer = TxtAnswer({"this is not a key", KeyRecordText(rsa)});
  auto keys = FindUsableKeys(answer, Algorithm::kRsaSha256, {});
  ASSERT_TRUE(keys.has_value()) << keys.error();
  EXPECT_EQ(keys->keys.size(), 1u);
  EXPECT_EQ(keys->parsed->size(), 2u);
  // The answer's memo holds the parse: a second check (or the DKIM verifier) reuses it.
  auto again = FindUsableKeys(answer, Algorithm::kRsaSha256, {});
  EXPECT_EQ(again->parsed.get(), keys->parsed.get());

  const std::string digest = verifier::HashBytes(verifier::HashAlgorithm::kSha256, "data");
  auto signature = verifier::SignDigest(rsa, Algorithm::kRsaSha256, digest);
  ASSERT_TRUE(signature.has_value());
  EXPECT_TRUE(VerifiesWithAny(*keys, Algorithm::kRsaSha256, digest, *signature));
  const std::string other = verifier::HashBytes(verifier::HashAlgorithm::kSha256, "datb");
  EXPECT_FALSE(VerifiesWithAny(*keys, Algorithm::kRsaSha256, other, *signature));
}

}  // namespace
}  // namespace kenin::arc
