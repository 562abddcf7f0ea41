// The small shared pieces of the DNS interface: name normalization (the cache and the zone
// backend compare names by it) and the ready-made future of synchronous backends.
#include "dns/resolver.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kenin::dns {
namespace {

TEST(NormalizeName, LowercasesAndDropsOneTrailingDot) {
  EXPECT_EQ(NormalizeName("Sel._DomainKey.Example.COM."), "sel._domainkey.example.com");
  EXPECT_EQ(NormalizeName("example.com"), "example.com");
  EXPECT_EQ(NormalizeName("."), "");
  EXPECT_EQ(NormalizeName(""), "");
}

TEST(NormalizeName, FoldsAsciiOnly) {
  // RFC 4343 §3: octets outside ASCII letters are left as they are, and so are the
  // neighbours of 'A' and 'Z' ('@', '[', '`', '{').
  EXPECT_EQ(NormalizeName("@AZ[`az{\xc3\x89\xff"), "@az[`az{\xc3\x89\xff");
}

TEST(AppendNormalizedName, AppendsToWhatIsThere) {
  std::string key = "16/";
  AppendNormalizedName("Example.ORG.", key);
  EXPECT_EQ(key, "16/example.org");
}

TEST(ReadyAnswer, IsReadyAtOnceWithTheValue) {
  Answer answer;
  answer.rcode = Rcode::kNxDomain;
  answer.ttl = 60;
  AnswerFuture future = ReadyAnswer(answer);
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  ASSERT_TRUE(future.get());
  EXPECT_EQ(future.get()->rcode, Rcode::kNxDomain);
  EXPECT_EQ(future.get()->ttl, 60u);
}

TEST(ReadyAnswer, CarriesTransportErrors) {
  AnswerFuture future = ReadyAnswer(tl::unexpected(Error{ErrorCode::kTimeout, "timed out"}));
  ASSERT_FALSE(future.get());
  EXPECT_EQ(future.get().error().code, ErrorCode::kTimeout);
}

TEST(RecordType, NamesAreTheMnemonics) {
  EXPECT_EQ(ToString(RecordType::kTxt), "TXT");
  EXPECT_EQ(ToString(RecordType::kA), "A");
  EXPECT_EQ(ToString(RecordType::kAaaa), "AAAA");
  EXPECT_EQ(ToString(RecordType::kMx), "MX");
  EXPECT_EQ(ToString(RecordType::kPtr), "PTR");
}

}  // namespace
}  // namespace kenin::dns
