// The zone-file backend: answers as a recursive resolver would give them for the names in
// RFC 1035 master files, NXDOMAIN for every other name. Zones are written inline, plus the
// conformance corpus's keys.zone read in place (KENIN_CONFORMANCE_DIR).
#include "dns/zone_resolver.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace kenin::dns {
namespace {

constexpr char kZone[] = R"(; a small zone, absolute names
sel._domainkey.example.com. 600 IN TXT "v=DKIM1; k=rsa; " "p=MIGf" "MA0G"
two.example.com. 300 IN TXT "first record"
two.example.com. 300 IN TXT "second record"
host.example.com. 300 IN A 192.0.2.7
host.example.com. 300 IN AAAA 2001:db8::7
example.com. 300 IN MX 10 mx.example.com.
alias._domainkey.example.com. 300 IN CNAME sel._domainkey.example.com.
chain.example.com. 300 IN CNAME alias._domainkey.example.com.
dangling.example.com. 300 IN CNAME nowhere.example.com.
loop1.example.com. 300 IN CNAME loop2.example.com.
loop2.example.com. 300 IN CNAME loop1.example.com.
)";

ZoneResolver Load(std::string_view text) {
  auto zone = ZoneResolver::FromText(text, "inline.zone");
  EXPECT_TRUE(zone) << zone.error().detail;
  return zone ? std::move(*zone) : ZoneResolver();
}

Answer Ask(const ZoneResolver& zone, std::string_view name, RecordType type = RecordType::kTxt) {
  auto answer = zone.Resolve(Question{std::string(name), type});
  EXPECT_TRUE(answer) << answer.error().detail;
  return answer ? *answer : Answer{};
}

TEST(ZoneResolver, KeepsTheStringsOfATxtRecordSeparate) {
  // RFC 1035 §3.3.14: a TXT record is one or more <character-string>s; joining them is the
  // caller's business (DKIM concatenates, RFC 6376 §3.6.2.2).
  Answer answer = Ask(Load(kZone), "sel._domainkey.example.com");
  EXPECT_EQ(answer.rcode, Rcode::kNoError);
  ASSERT_EQ(answer.records.size(), 1u);
  EXPECT_EQ(answer.records[0].strings,
            (std::vector<std::string>{"v=DKIM1; k=rsa; ", "p=MIGf", "MA0G"}));
  EXPECT_EQ(answer.records[0].ttl, 600u);
  EXPECT_EQ(answer.ttl, 600u);
}

TEST(ZoneResolver, KeepsSeveralRecordsAtOneNameInFileOrder) {
  Answer answer = Ask(Load(kZone), "two.example.com");
  ASSERT_EQ(answer.records.size(), 2u);
  EXPECT_EQ(answer.records[0].strings, std::vector<std::string>{"first record"});
  EXPECT_EQ(answer.records[1].strings, std::vector<std::string>{"second record"});
}

TEST(ZoneResolver, AbsentNameIsNxdomain) {
  ZoneResolver zone = Load(kZone);
  Answer answer = Ask(zone, "nonexistent._domainkey.example.com");
  EXPECT_EQ(answer.rcode, Rcode::kNxDomain);
  EXPECT_TRUE(answer.records.empty());
  EXPECT_EQ(Ask(zone, "example.org").rcode, Rcode::kNxDomain);
}

TEST(ZoneResolver, NameWithOtherTypesOnlyIsNodata) {
  Answer answer = Ask(Load(kZone), "host.example.com", RecordType::kTxt);
  EXPECT_EQ(answer.rcode, Rcode::kNoError);
  EXPECT_TRUE(answer.records.empty());
}

TEST(ZoneResolver, NamesCompareCaseInsensitivelyWithOrWithoutTrailingDot) {
  ZoneResolver zone = Load(kZone);
  EXPECT_EQ(Ask(zone, "SEL._DomainKey.Example.COM.").records.size(), 1u);
  EXPECT_EQ(Ask(zone, "sel._domainkey.example.com").records.size(), 1u);
}

TEST(ZoneResolver, AnswersOtherTypesInPresentationForm) {
  ZoneResolver zone = Load(kZone);
  Answer a = Ask(zone, "host.example.com", RecordType::kA);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].strings, std::vector<std::string>{"192.0.2.7"});
  Answer aaaa = Ask(zone, "host.example.com", RecordType::kAaaa);
  ASSERT_EQ(aaaa.records.size(), 1u);
  EXPECT_EQ(aaaa.records[0].strings, std::vector<std::string>{"2001:db8::7"});
  Answer mx = Ask(zone, "example.com", RecordType::kMx);
  ASSERT_EQ(mx.records.size(), 1u);
  EXPECT_EQ(mx.records[0].strings, std::vector<std::string>{"10 mx.example.com."});
}

TEST(ZoneResolver, FollowsCnames) {
  ZoneResolver zone = Load(kZone);
  for (std::string_view name : {"alias._domainkey.example.com", "chain.example.com"}) {
    SCOPED_TRACE(name);
    Answer answer = Ask(zone, name);
    EXPECT_EQ(answer.rcode, Rcode::kNoError);
    ASSERT_EQ(answer.records.size(), 1u);
    EXPECT_EQ(answer.records[0].strings.front(), "v=DKIM1; k=rsa; ");
  }
}

TEST(ZoneResolver, CnameToAbsentNameIsNxdomain) {
  EXPECT_EQ(Ask(Load(kZone), "dangling.example.com").rcode, Rcode::kNxDomain);
}

// A recursive resolver answers SERVFAIL for a looping chain; the zone backend reports the
// same as an error (which the verifier turns into temperror), never a hang.
TEST(ZoneResolver, CnameLoopIsAnError) {
  auto answer = Load(kZone).Resolve(Question{"loop1.example.com", RecordType::kTxt});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kBadReply);
  EXPECT_NE(answer.error().detail.find("CNAME"), std::string::npos);
}

TEST(ZoneResolver, LookupIsReadyAtOnce) {
  ZoneResolver zone = Load(kZone);
  AnswerFuture future = zone.Lookup(Question{"two.example.com", RecordType::kTxt});
  ASSERT_TRUE(future.get());
  EXPECT_EQ(future.get()->records.size(), 2u);
}

TEST(ZoneResolver, HonoursOriginAndDefaultTtlDirectives) {
  ZoneResolver zone = Load("$ORIGIN example.net.\n$TTL 120\nsel._domainkey IN TXT \"p=\"\n");
  Answer answer = Ask(zone, "sel._domainkey.example.net");
  ASSERT_EQ(answer.records.size(), 1u);
  EXPECT_EQ(answer.records[0].strings, std::vector<std::string>{"p="});
  EXPECT_EQ(answer.records[0].ttl, 120u);
}

TEST(ZoneResolver, CountsRecords) { EXPECT_EQ(Load(kZone).record_count(), 11u); }

TEST(ZoneResolver, EmptyTextIsAnEmptyZone) {
  ZoneResolver zone = Load("; nothing here\n\n");
  EXPECT_EQ(zone.record_count(), 0u);
  EXPECT_EQ(Ask(zone, "example.com").rcode, Rcode::kNxDomain);
}

TEST(ZoneResolver, ParseErrorNamesFileAndLine) {
  auto zone = ZoneResolver::FromText(
      "a.example.com. 300 IN TXT \"ok\"\n"
      "; comment\n"
      "b.example.com. 300 IN A not-an-address\n"
      "c.example.com. 300 IN TXT \"ok\"\n",
      "broken.zone");
  ASSERT_FALSE(zone);
  EXPECT_TRUE(zone.error().detail.starts_with("broken.zone:3:")) << zone.error().detail;
}

TEST(ZoneResolver, ParseErrorOnTheLastLineIsReported) {
  // No newline after the bad record: the error must not be mistaken for the end of the file.
  auto zone = ZoneResolver::FromText(
      "a.example.com. 300 IN TXT \"ok\"\nb.example.com. 300 IN A not-an-address", "broken.zone");
  ASSERT_FALSE(zone);
  EXPECT_TRUE(zone.error().detail.starts_with("broken.zone:2:")) << zone.error().detail;
}

TEST(ZoneResolver, ParseErrorAfterBlankLinesAndMultiLineRecordNamesItsLine) {
  auto zone = ZoneResolver::FromText(
      "a.example.com. 300 IN TXT (\n"
      "    \"one\" \"two\" )\n"
      "\n"
      "\n"
      "b.example.com. 300 IN BOGUSTYPE x\n",
      "broken.zone");
  ASSERT_FALSE(zone);
  EXPECT_TRUE(zone.error().detail.starts_with("broken.zone:5:")) << zone.error().detail;
}

TEST(ZoneResolver, TrailingCommentsAndBlankLinesAreNotErrors) {
  for (std::string_view tail : {"\n; the end", "\n; the end\n\n", "\n   ", "\n\n\n", ""}) {
    SCOPED_TRACE(testing::PrintToString(std::string(tail)));
    auto zone =
        ZoneResolver::FromText("a.example.com. 300 IN TXT \"ok\"" + std::string(tail), "tail.zone");
    ASSERT_TRUE(zone) << zone.error().detail;
    EXPECT_EQ(zone->record_count(), 1u);
  }
}

TEST(ZoneResolver, FileErrorNamesThePath) {
  std::string path = testing::TempDir() + "/kenin_zone_resolver_test.zone";
  {
    std::ofstream out(path);
    out << "ok.example.com. 300 IN TXT \"fine\"\nbad.example.com. 300 IN BOGUSTYPE x\n";
  }
  auto zone = ZoneResolver::FromFiles({path});
  std::remove(path.c_str());
  ASSERT_FALSE(zone);
  EXPECT_TRUE(zone.error().detail.starts_with(path + ":2:")) << zone.error().detail;
}

TEST(ZoneResolver, MissingFileIsAnError) {
  auto zone = ZoneResolver::FromFiles({"/nonexistent/kenin/none.zone"});
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().detail.find("/nonexistent/kenin/none.zone"), std::string::npos);
}

TEST(ZoneResolver, SeveralFilesMakeOneZone) {
  std::string first = testing::TempDir() + "/kenin_zone_a.zone";
  std::string second = testing::TempDir() + "/kenin_zone_b.zone";
  std::ofstream(first) << "a.example.com. 300 IN TXT \"a\"\n";
  std::ofstream(second) << "b.example.org. 300 IN TXT \"b\"\n";
  auto zone = ZoneResolver::FromFiles({first, second});
  std::remove(first.c_str());
  std::remove(second.c_str());
  ASSERT_TRUE(zone) << zone.error().detail;
  EXPECT_EQ(Ask(*zone, "a.example.com").records.size(), 1u);
  EXPECT_EQ(Ask(*zone, "b.example.org").records.size(), 1u);
}

// The Mail::DKIM corpus keys, read where they are (SPEC §8: never copied in).
TEST(ZoneResolver, LoadsTheDkimCorpusKeys) {
  std::string path = std::string(KENIN_CONFORMANCE_DIR) + "/dkim-corpus/keys.zone";
  auto zone = ZoneResolver::FromFiles({path});
  ASSERT_TRUE(zone) << zone.error().detail;
  EXPECT_EQ(zone->record_count(), 23u);  // the names in comments have no record

  // A key longer than one string in the file: two strings, joined only by the caller.
  Answer shan = Ask(*zone, "shan._domainkey.vmt2.cis.att.net");
  ASSERT_EQ(shan.records.size(), 1u);
  ASSERT_EQ(shan.records[0].strings.size(), 2u);
  EXPECT_TRUE(shan.records[0].strings[0].starts_with("v=DKIM1; k=rsa; h=sha1:sha256:sha512;"));
  EXPECT_EQ(shan.records[0].strings[1], "AQAB");
  EXPECT_EQ(shan.records[0].ttl, 3600u);

  Answer revoked = Ask(*zone, "testrevoked._domainkey.messiah.edu");
  ASSERT_EQ(revoked.records.size(), 1u);
  EXPECT_EQ(revoked.records[0].strings, std::vector<std::string>{"k=rsa; t=y; p="});

  // An escaped quote in the file is an octet of the string.
  Answer quotes = Ask(*zone, "2023-05-ed25519-empty._domainkey.wander.science");
  ASSERT_EQ(quotes.records.size(), 1u);
  EXPECT_EQ(quotes.records[0].strings, std::vector<std::string>{"\"\""});

  EXPECT_EQ(Ask(*zone, "nonexistent._domainkey.messiah.edu").rcode, Rcode::kNxDomain);
}

}  // namespace
}  // namespace kenin::dns
