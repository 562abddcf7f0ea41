// MessageSession (policy/message_session.h): every lookup a message needs starts at
// end-of-headers (the overlap of SPEC §5), each name is asked upstream once, and the SPF
// evaluation gives the same verdict whether it ran at once on cached answers, early on a
// background thread, at end-of-message, or never got a thread.
#include "policy/message_session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <future>
#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
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

TEST_F(SessionTest, WithoutDmarcPrefetchTheWalkIsAskedOnceAtEndOfMessage) {
  options_.prefetch_dmarc = false;
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  ExpectAllPass(Run(session));
  for (const char* name : {"_dmarc.example.org", "_dmarc.org"}) {
    EXPECT_EQ(resolver_.asked[name], std::vector<std::string>{"end"}) << name;
  }
  // The keys and the SPF record are still asked at end-of-headers.
  EXPECT_EQ(resolver_.asked["rsa2048._domainkey.example.org"], std::vector<std::string>{"headers"});
  EXPECT_EQ(resolver_.asked["example.org"], std::vector<std::string>{"headers"});
}

TEST_F(SessionTest, NoClientAddressMeansNoSpf) {
  MessageSession session(options_, resolver_, Envelope{}, Inline());
  SessionReport report = Run(session);
  EXPECT_FALSE(report.spf);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kPass);
}

// Resource bounds (docs/security.md, "Resource exhaustion").

// A nameserver that takes every question and answers none until Release().
class SilentResolver : public dns::Resolver {
 public:
  dns::AnswerFuture Lookup(const dns::Question&) override {
    std::lock_guard lock(mutex_);
    return promises_.emplace_back().get_future().share();
  }
  void Release() {  // lets background evaluations still waiting end, before the test does
    std::lock_guard lock(mutex_);
    for (auto& promise : promises_) {
      promise.set_value(tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "released"}));
    }
    promises_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<std::promise<dns::Result<dns::Answer>>> promises_;
};

// Real threads, as kenind's pool: the SPF evaluation waits on one of them.
class Workers {
 public:
  BackgroundRunner Runner() {
    return [this](std::function<void()> task) {
      threads_.emplace_back(std::move(task));
      return true;
    };
  }
  void Join() {
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

 private:
  std::vector<std::thread> threads_;
};

void Feed(MessageSession& session, const std::string& file,
          const std::vector<Field>& extra_fields = {}) {
  auto [fields, body] = ReadMessage(KENIN_TEST_DATA_DIR "/messages/" + file);
  fields.insert(fields.end(), extra_fields.begin(), extra_fields.end());
  for (const Field& field : fields) session.OnHeader(field.name, field.value);
  session.OnEndOfHeaders(kNow);
  session.OnBodyChunk(body);
}

void ExpectBudgetSpent(const SessionReport& report) {
  ASSERT_EQ(report.dkim.size(), 2u);
  for (const verifier::DkimVerdict& verdict : report.dkim) {
    EXPECT_EQ(verdict.result, verifier::DkimResult::kTempError) << verdict.reason;
    EXPECT_EQ(verdict.reason, "time budget exhausted");
  }
  ASSERT_TRUE(report.spf);
  EXPECT_EQ(report.spf->result, SpfResult::kTempError) << report.spf->reason;
  EXPECT_EQ(report.spf->reason, "time budget exhausted");
  EXPECT_EQ(report.spf->domain, "example.org");
  ASSERT_TRUE(report.dmarc);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kTempError) << report.dmarc->reason;
  EXPECT_EQ(report.dmarc->reason, "time budget exhausted");
}

TEST_F(SessionTest, UnansweredLookupsEndAtTheDeadlineWithABackgroundThread) {
  SilentResolver silent;
  Workers workers;
  {
    MessageSession session(options_, silent, kEnvelope, workers.Runner());
    Feed(session, "03-two-signatures-pass.eml");
    const auto start = std::chrono::steady_clock::now();
    SessionReport report = session.OnEndOfMessage(start + std::chrono::milliseconds(200));
    const auto waited = std::chrono::steady_clock::now() - start;
    ExpectBudgetSpent(report);
    EXPECT_GE(waited, std::chrono::milliseconds(200));
    EXPECT_LT(waited, std::chrono::seconds(3)) << "one budget for the whole message";
    silent.Release();
    workers.Join();
  }
}

TEST_F(SessionTest, UnansweredLookupsEndAtTheDeadlineWhenSpfRunsAtEndOfMessage) {
  SilentResolver silent;
  MessageSession session(options_, silent, kEnvelope);  // no background: SPF runs at the end
  Feed(session, "03-two-signatures-pass.eml");
  const auto start = std::chrono::steady_clock::now();
  SessionReport report = session.OnEndOfMessage(start + std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ExpectBudgetSpent(report);
}

TEST_F(SessionTest, AnswersThatArriveBeforeTheDeadlineAreUsed) {
  resolver_.hold = true;  // every answer still on its way at end-of-message
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  Feed(session, "03-two-signatures-pass.eml");
  ExpectAllPass(session.OnEndOfMessage(std::chrono::steady_clock::now() + std::chrono::seconds(30)));
}

TEST_F(SessionTest, HeaderOverTheBoundFailsDkimOnlySpfAndDmarcAreStillDecided) {
  options_.dkim.max_header_bytes = 16384;
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  Feed(session, "03-two-signatures-pass.eml", {{"X-Filler", " " + std::string(20000, 'x')}});
  SessionReport report = session.OnEndOfMessage();
  ASSERT_EQ(report.dkim.size(), 2u);
  EXPECT_EQ(report.dkim[0].result, verifier::DkimResult::kPermError);
  EXPECT_EQ(report.dkim[0].reason, "header block over 16384 bytes");
  EXPECT_EQ(report.spf->result, SpfResult::kPass);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kPass) << report.dmarc->reason;  // SPF aligned
}

TEST_F(SessionTest, FromFieldsOverTheBoundMakeDmarcPermerror) {
  options_.dkim.max_header_bytes = 16384;
  MessageSession session(options_, resolver_, kEnvelope, Inline());
  // A second From, huge: DMARC cannot know the Author Domain without it (RFC 9989 §4.4).
  Feed(session, "03-two-signatures-pass.eml",
       {{"From", " " + std::string(20000, 'a') + "@example.org"}});
  SessionReport report = session.OnEndOfMessage();
  EXPECT_EQ(report.dmarc->result, DmarcResult::kPermError);
  EXPECT_EQ(report.dmarc->reason, "From fields over 16384 bytes");
  EXPECT_EQ(report.spf->result, SpfResult::kPass);
  EXPECT_TRUE(AskedIn("headers").size() > 0);
  EXPECT_FALSE(resolver_.asked.contains("_dmarc.example.org")) << "nothing to prefetch";
}

}  // namespace
}  // namespace kenin::policy
