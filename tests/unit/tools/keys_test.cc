#include "tools/keys.h"

#include <gtest/gtest.h>

#include "verifier/key_record.h"

namespace kenin::tools {
namespace {

TEST(Keys, TxtStringsAreAtMost255Octets) {
  std::string value(600, 'a');
  std::vector<std::string> parts = SplitTxtStrings(value);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 255u);
  EXPECT_EQ(parts[1].size(), 255u);
  EXPECT_EQ(parts[2].size(), 90u);
  EXPECT_EQ(parts[0] + parts[1] + parts[2], value);
}

TEST(Keys, ZoneLineQuotesEachStringAndEscapes) {
  EXPECT_EQ(ZoneLine("s", "example.com", "a\"b"), "s._domainkey.example.com. 3600 IN TXT \"a\\\"b\"");
}

TEST(Keys, GeneratedRsaKeyPublishesARecordThatParses) {
  auto key = GenerateKey(KeyKind::kRsa, 2048);
  ASSERT_TRUE(key);
  std::string record = PublicKeyRecord(key->get());
  EXPECT_TRUE(record.starts_with("v=DKIM1; k=rsa; p="));
  auto parsed = verifier::ParseKeyRecord(record);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->bits, 2048u);
  auto reloaded = LoadPrivateKey(PrivateKeyPem(key->get()));
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(PublicKeyRecord(reloaded->get()), record);
}

TEST(Keys, GeneratedEd25519KeyIsTheRaw32ByteForm) {
  auto key = GenerateKey(KeyKind::kEd25519, 0);
  ASSERT_TRUE(key);
  std::string record = PublicKeyRecord(key->get());
  EXPECT_TRUE(record.starts_with("v=DKIM1; k=ed25519; p="));
  EXPECT_EQ(record.size(), std::string("v=DKIM1; k=ed25519; p=").size() + 44);  // base64 of 32
  EXPECT_TRUE(verifier::ParseKeyRecord(record));
}

TEST(Keys, GarbagePemDoesNotLoad) { EXPECT_FALSE(LoadPrivateKey("not a key")); }

}  // namespace
}  // namespace kenin::tools
