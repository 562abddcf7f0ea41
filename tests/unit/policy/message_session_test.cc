// MessageSession (policy/message_session.h): every lookup a message needs starts at
// end-of-headers (the overlap of SPEC §5), each name is asked upstream once, and the SPF
// evaluation gives the same verdict whether it ran at once on cached answers, early on a
// background thread, at end-of-message, or never got a thread.
#include "policy/message_session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dns/zone_resolver.h"

namespace kenin::policy {
namespace {

// The sample zone plus SPF and DMARC for example.org; records the phase each name was asked in.
class PhaseResolver : public dns::Resolver {
 public:
  PhaseResolver() : zone_(*dns::ZoneResolver::FromText(ZoneText(), "session.zone")) {}
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    asked[question.name].push_back(phase);
    if (hold) {  // not ready until someone waits for it: an answer still on its way
      return std::async(std::launch::deferred,
                        [this, question] { return zone_.Lookup(question).get(); })
          .share();
    }
    return zone_.Lookup(question);
  }
  std::string phase = "headers";
  bool hold = false;  // answers as from the network (true) or from the cache (false)
  std::map<std::string, std::vector<std::string>> asked;  // name -> phases, once per ask

 private:
  static std::string ZoneText() {
    std::ifstream sample(KENIN_TEST_DATA_DIR "/zones/sample.zone");
    std::stringstream text;
    text << sample.rdbuf()
         << "example.org. 3600 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
            "_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=reject\"\n"
            "bounce.example.net. 3600 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n";
    return text.str();
  }
  dns::ZoneResolver zone_;
};

struct Field {
  std::string name, value;
};

// Header fields (value as after the colon, folding kept) and body of a CRLF message file.
std::pair<std::vector<Field>, std::string> ReadMessage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t end = text.find("\r\n\r\n");
  std::vector<Field> fields;
  size_t pos = 0;
  while (pos < end) {
    size_t eol = text.find("\r\n", pos);
    std::string line = text.substr(pos, eol - pos);
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      fields.back().value += "\r\n" + line;
    } else {
      size_t colon = line.find(':');
      fields.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
    pos = eol + 2;
  }
  return {fields, text.substr(end + 4)};
}

constexpr int64_t kNow = 1795860000 + 60;  // just after the sample signatures' t=
const Envelope kEnvelope{"192.0.2.1", "mail.example.org", "alice@example.org"};

class SessionTest : public ::testing::Test {
 protected:
  SessionReport Run(MessageSession& session, const std::string& file = "03-two-signatures-pass.eml") {
    auto [fields, body] = ReadMessage(KENIN_TEST_DATA_DIR "/messages/" + file);
    for (const Field& field : fields) session.OnHeader(field.name, field.value);
    session.OnEndOfHeaders(kNow);
    resolver_.phase = "body";
    // The body in small chunks, as an MTA streams it.
    for (size_t i = 0; i < body.size(); i += 7) session.OnBodyChunk(std::string_view(body).substr(i, 7));
    resolver_.phase = "end";
    return session.OnEndOfMessage();
  }

  std::vector<std::string> AskedIn(const std::string& phase) const {
    std::vector<std::string> names;
    for (const auto& [name, phases] : resolver_.asked) {
      for (const std::string& p : phases) {
        if (p == phase) names.push_back(name);
      }
    }
    return names;
  }

  static void ExpectAllPass(const SessionReport& report) {
    ASSERT_EQ(report.dkim.size(), 2u);
    EXPECT_EQ(report.dkim[0].result, verifier::DkimResult::kPass) << report.authentication_results;
    EXPECT_EQ(report.dkim[1].result, verifier::DkimResult::kPass) << report.authentication_results;
    ASSERT_TRUE(report.spf);
    EXPECT_EQ(report.spf->result, SpfResult::kPass);
    ASSERT_TRUE(report.dmarc);
    EXPECT_EQ(report.dmarc->result, DmarcResult::kPass) << report.dmarc->reason;
  }

  SessionOptions options_;
  PhaseResolver resolver_;
};

// A background runner that runs the task at once, on this thread: deterministic.
BackgroundRunner Inline() {
  return [](std::function<void()> task) {
    task();
    return true;
  };
}

// A background "thread" that never gets to its queue until the test runs it.
BackgroundRunner QueueInto(std::vector<std::function<void()>>& queue) {
  return [&queue](std::function<void()> task) {
    queue.push_back(std::move(task));
    return true;
  };
}

TEST_F(SessionTest, EveryLookupStartsAtEndOfHeadersWithABackgroundThread) {
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  ExpectAllPass(Run(session));
  EXPECT_TRUE(AskedIn("body").empty());
  EXPECT_TRUE(AskedIn("end").empty()) << "asked at end-of-message: " << AskedIn("end").front();
  // Both keys, the SPF record, and the whole DMARC tree walk.
  for (const char* name : {"rsa2048._domainkey.example.org", "ed25519._domainkey.example.org",
                           "example.org", "_dmarc.example.org", "_dmarc.org"}) {
    EXPECT_TRUE(resolver_.asked.contains(name)) << name;
  }
}

TEST_F(SessionTest, EachNameIsAskedUpstreamOnce) {
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  Run(session);
  for (const auto& [name, phases] : resolver_.asked) EXPECT_EQ(phases.size(), 1u) << name;
}

TEST_F(SessionTest, WithoutBackgroundSpfRunsAtEndButItsRecordIsPrefetched) {
  MessageSession session(options_, resolver_, kEnvelope);
  ExpectAllPass(Run(session));
  EXPECT_EQ(resolver_.asked["example.org"], std::vector<std::string>{"headers"});
  EXPECT_TRUE(AskedIn("end").empty());  // this SPF record needs no second lookup
}

TEST_F(SessionTest, AFullBackgroundQueueMovesSpfToEndOfMessage) {
  BackgroundRunner full = [](std::function<void()>) { return false; };
  MessageSession session(options_, resolver_, kEnvelope, full);
  ExpectAllPass(Run(session));
}

TEST_F(SessionTest, WithEveryAnswerCachedSpfRunsAtOnceWithoutTheBackground) {
  std::vector<std::function<void()>> queue;
  MessageSession session(options_, resolver_, kEnvelope, QueueInto(queue));
  ExpectAllPass(Run(session));
  EXPECT_TRUE(queue.empty());  // no hand-over to another thread
  EXPECT_EQ(resolver_.asked["example.org"], std::vector<std::string>{"headers"});
}

TEST_F(SessionTest, SpfThatWouldWaitGoesToTheBackgroundAndAsksOnce) {
  resolver_.hold = true;
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  ExpectAllPass(Run(session));
  // The first try stopped at the record still on its way; the background evaluation got the
  // same lookup from the message's memo.
  EXPECT_EQ(resolver_.asked["example.org"], std::vector<std::string>{"headers"});
}

TEST_F(SessionTest, AQueuedEvaluationThatNeverRanIsDoneAtEndOfMessage) {
  resolver_.hold = true;
  std::vector<std::function<void()>> queue;
  MessageSession session(options_, resolver_, kEnvelope, QueueInto(queue));
  ExpectAllPass(Run(session));
  ASSERT_EQ(queue.size(), 1u);
  queue.front()();  // the worker gets to it late: claimed already, nothing happens
  EXPECT_EQ(resolver_.asked["example.org"].size(), 1u);
}

TEST_F(SessionTest, AnAbortedMessageCancelsItsQueuedEvaluation) {
  resolver_.hold = true;
  std::vector<std::function<void()>> queue;
  {
    MessageSession session(options_, resolver_, kEnvelope, QueueInto(queue));
    session.OnHeader("From", " alice@example.org");
    session.OnEndOfHeaders(kNow);
  }  // aborted: no end-of-message
  ASSERT_EQ(queue.size(), 1u);
  resolver_.phase = "after abort";
  queue.front()();  // runs after the session is gone: must not touch it, and asks nothing
  EXPECT_TRUE(AskedIn("after abort").empty());
}

TEST_F(SessionTest, SpeculativeWalksCoverOtherIdentifiersOnlyWhenAsked) {
  const Envelope bounce{"192.0.2.1", "mail.example.org", "b@bounce.example.net"};
  {
    MessageSession session(options_, resolver_, bounce, Inline());
    Run(session);
    // SPF passes for bounce.example.net, so relaxed alignment walks it, one name at a time.
    EXPECT_EQ(resolver_.asked["_dmarc.bounce.example.net"], std::vector<std::string>{"end"});
  }
  resolver_.asked.clear();
  resolver_.phase = "headers";
  options_.prefetch_identifier_walks = true;
  MessageSession session(options_, resolver_, bounce, Inline());
  SessionReport report = Run(session);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kPass);  // DKIM aligned
  for (const char* name : {"_dmarc.bounce.example.net", "_dmarc.example.net", "_dmarc.net"}) {
    EXPECT_EQ(resolver_.asked[name], std::vector<std::string>{"headers"}) << name;
  }
}

TEST_F(SessionTest, NoClientAddressMeansNoSpf) {
  MessageSession session(options_, resolver_, Envelope{}, Inline());
  SessionReport report = Run(session);
  EXPECT_FALSE(report.spf);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kPass);
}

}  // namespace
}  // namespace kenin::policy
