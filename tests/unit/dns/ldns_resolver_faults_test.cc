// The network resolver against a nameserver that misbehaves (fake_name_server.h, real sockets on
// loopback): one deadline for the whole lookup whatever the server does, max_answer_bytes, and
// an error that names what went wrong. Through kenind: tests/e2e/dns_faults_e2e.py.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "dns/ldns_resolver.h"
#include "fake_name_server.h"

namespace kenin::dns {
namespace {

using std::chrono::milliseconds;
using testing::Bytes;
using testing::FakeNameServer;
using testing::Framed;
using testing::ReplyTo;
using testing::Wire;

// Scheduling on a loaded machine, on top of a deadline; well under what the old behaviour took.
constexpr milliseconds kSlack{150};

struct Outcome {
  Result<Answer> answer;
  milliseconds elapsed;
};

Outcome Ask(const FakeNameServer& server, milliseconds timeout, int attempts, size_t max_answer_bytes = 65535) {
  LdnsOptions options;
  options.servers = {server.address()};
  options.timeout = timeout;
  options.attempts = attempts;
  options.max_answer_bytes = max_answer_bytes;
  auto started = std::chrono::steady_clock::now();
  Result<Answer> answer = LdnsResolver(options).Resolve(Question{"k._domainkey.example", RecordType::kTxt});
  return {std::move(answer),
          std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started)};
}

Bytes Truncated(const ldns_pkt* query) {
  testing::PktPtr reply = ReplyTo(query);
  ldns_pkt_set_tc(reply.get(), true);
  return Wire(reply.get());
}

// Every name answered, 120 ms late, with only a CNAME to a new name below it. Each link came
// within the timeout, so without one deadline for the lookup the 9 links it may follow took
// 9 x 120 ms, past timeout x attempts (400 ms).
TEST(LdnsResolverFaults, AnEndlessSlowCnameChainEndsAtTheLookupDeadline) {
  FakeNameServer server({milliseconds(120), [](const ldns_pkt* query) {
                           std::string name = testing::QuestionName(query);
                           return std::vector<Bytes>{Wire(ReplyTo(query, {name + " 60 IN CNAME c." + name}).get())};
                         }});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(200), 2);
  ASSERT_FALSE(outcome.answer);
  EXPECT_EQ(outcome.answer.error().code, ErrorCode::kTimeout) << outcome.answer.error().detail;
  EXPECT_LT(outcome.elapsed, milliseconds(400) + kSlack);
  EXPECT_GE(server.udp_queries(), 3) << "the chain was followed until the deadline";
}

// A truncated reply just before the timeout, then a TCP server that never answers: the TCP
// retry shares the attempt's time; it used to get a whole timeout of its own (2 x timeout).
TEST(LdnsResolverFaults, ATcpRetryDoesNotExtendTheDeadline) {
  FakeNameServer server({milliseconds(250), [](const ldns_pkt* query) { return std::vector<Bytes>{Truncated(query)}; }},
                        {nullptr, /*hold_open=*/true});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(300), 1);
  ASSERT_FALSE(outcome.answer);
  EXPECT_EQ(outcome.answer.error().code, ErrorCode::kTimeout);
  EXPECT_NE(outcome.answer.error().detail.find("truncated, then TCP timeout"), std::string::npos)
      << outcome.answer.error().detail;
  EXPECT_LT(outcome.elapsed, milliseconds(300) + kSlack);
  EXPECT_EQ(server.tcp_queries(), 1);
}

// Garbage, then a reply with another id carrying a forged record, then the real reply: only
// the real one counts (RFC 5452 §9.1), and the wait for it goes on past the others.
TEST(LdnsResolverFaults, GarbageAndForgedRepliesAreIgnoredUntilTheRealOne) {
  FakeNameServer server({milliseconds(0), [](const ldns_pkt* query) {
                           testing::PktPtr forged = ReplyTo(query, {"k._domainkey.example. 60 IN TXT \"forged\""});
                           ldns_pkt_set_id(forged.get(), static_cast<uint16_t>(ldns_pkt_id(query) + 1));
                           return std::vector<Bytes>{Bytes{0xde, 0xad}, Wire(forged.get()),
                                                     Wire(ReplyTo(query, {"k._domainkey.example. 60 IN TXT \"real\""}).get())};
                         }});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(500), 1);
  ASSERT_TRUE(outcome.answer) << outcome.answer.error().detail;
  ASSERT_EQ(outcome.answer->records.size(), 1u);
  EXPECT_EQ(outcome.answer->records[0].strings, std::vector<std::string>{"real"});
}

TEST(LdnsResolverFaults, AnAnswerOverMaxAnswerBytesIsABadReply) {
  FakeNameServer server({milliseconds(0), [](const ldns_pkt* query) {
                           return std::vector<Bytes>{Wire(ReplyTo(query, {testing::BigTxt(query, 1500)}).get())};
                         }});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(500), 2, 1024);
  ASSERT_FALSE(outcome.answer);
  EXPECT_EQ(outcome.answer.error().code, ErrorCode::kBadReply);
  EXPECT_NE(outcome.answer.error().detail.find("answer too large"), std::string::npos) << outcome.answer.error().detail;
  EXPECT_EQ(server.udp_queries(), 1) << "an answer, not a failure: not asked again";
  EXPECT_EQ(server.edns_size(), 1024) << "the EDNS0 size offered is no more than we accept";
}

// Over TCP the length prefix says it all: 8192 octets announced and never sent. The lookup ends
// on the prefix, at once, not at the deadline.
TEST(LdnsResolverFaults, ATcpAnswerOverMaxAnswerBytesIsRefusedOnItsLength) {
  FakeNameServer server({milliseconds(0), [](const ldns_pkt* query) { return std::vector<Bytes>{Truncated(query)}; }},
                        {[](const ldns_pkt*) { return Bytes{0x20, 0x00}; }, /*hold_open=*/true});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(1000), 2, 4096);
  ASSERT_FALSE(outcome.answer);
  EXPECT_EQ(outcome.answer.error().code, ErrorCode::kBadReply);
  EXPECT_NE(outcome.answer.error().detail.find("8192 > 4096"), std::string::npos) << outcome.answer.error().detail;
  EXPECT_LT(outcome.elapsed, milliseconds(500));
}

TEST(LdnsResolverFaults, AnAnswerWithinMaxAnswerBytesComesOverTcp) {
  FakeNameServer server({milliseconds(0), [](const ldns_pkt* query) { return std::vector<Bytes>{Truncated(query)}; }},
                        {[](const ldns_pkt* query) { return Framed(Wire(ReplyTo(query, {testing::BigTxt(query, 3000)}).get())); }});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(1000), 2, 4096);
  ASSERT_TRUE(outcome.answer) << outcome.answer.error().detail;
  EXPECT_EQ(outcome.answer->records.size(), 1u);
  EXPECT_EQ(server.tcp_queries(), 1);
}

// TC, then the TCP connection closed without an answer, on every attempt: quick, and the error
// says what happened rather than only "no reply".
TEST(LdnsResolverFaults, TheErrorNamesTheLastProblem) {
  FakeNameServer server({milliseconds(0), [](const ldns_pkt* query) { return std::vector<Bytes>{Truncated(query)}; }},
                        {nullptr, /*hold_open=*/false});
  ASSERT_TRUE(server.ok());
  Outcome outcome = Ask(server, milliseconds(1000), 2);
  ASSERT_FALSE(outcome.answer);
  EXPECT_EQ(outcome.answer.error().code, ErrorCode::kTimeout);
  EXPECT_NE(outcome.answer.error().detail.find("(2 attempts; last: truncated, then TCP connection closed)"),
            std::string::npos)
      << outcome.answer.error().detail;
  EXPECT_LT(outcome.elapsed, milliseconds(500));
}

}  // namespace
}  // namespace kenin::dns
