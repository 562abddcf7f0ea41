// DeadlineResolver (policy/deadline_resolver.h): answers already here pass through, answers
// on their way are waited for until the deadline and no later, and Lookup() never blocks.
#include "policy/deadline_resolver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <string>

namespace kenin::policy {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Answers each name from a promise the test fulfils when it likes (or never).
class PendingResolver : public dns::Resolver {
 public:
  dns::AnswerFuture Lookup(const dns::Question& question) override {
    return futures_.try_emplace(question.name, promises_[question.name].get_future().share())
        .first->second;
  }
  void Answer(const std::string& name) { promises_[name].set_value(dns::Answer{}); }

 private:
  std::map<std::string, std::promise<dns::Result<dns::Answer>>> promises_;
  std::map<std::string, dns::AnswerFuture> futures_;
};

TEST(DeadlineResolver, AnAnswerAlreadyHereIsHandedOutEvenPastTheDeadline) {
  PendingResolver upstream;
  upstream.Answer("here.test");
  DeadlineResolver resolver(upstream, Clock::now() - milliseconds(10));
  dns::Result<dns::Answer> answer = resolver.Lookup({"here.test"}).get();
  EXPECT_TRUE(answer);
  EXPECT_FALSE(resolver.exhausted());
}

TEST(DeadlineResolver, AnUnansweredLookupEndsAtTheDeadlineAsATimeout) {
  PendingResolver upstream;
  const auto start = Clock::now();
  DeadlineResolver resolver(upstream, start + milliseconds(100));
  dns::AnswerFuture future = resolver.Lookup({"silent.test"});
  EXPECT_LT(Clock::now() - start, milliseconds(100)) << "Lookup() must not wait";
  dns::Result<dns::Answer> answer = future.get();
  const auto waited = Clock::now() - start;
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, dns::ErrorCode::kTimeout);
  EXPECT_EQ(answer.error().detail, "time budget exhausted");
  EXPECT_TRUE(resolver.exhausted());
  EXPECT_GE(waited, milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(DeadlineResolver, AnAnswerArrivingBeforeTheDeadlineIsUsed) {
  PendingResolver upstream;
  DeadlineResolver resolver(upstream, Clock::now() + std::chrono::seconds(30));
  dns::AnswerFuture future = resolver.Lookup({"late.test"});
  upstream.Answer("late.test");
  EXPECT_TRUE(future.get());
  EXPECT_FALSE(resolver.exhausted());
}

}  // namespace
}  // namespace kenin::policy
