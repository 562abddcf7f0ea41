// MemoResolver (dns/memo_resolver.h): one upstream lookup per question per message.
#include "dns/memo_resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace kenin::dns {
namespace {

class CountingResolver : public Resolver {
 public:
  AnswerFuture Lookup(const Question&) override {
    ++lookups;
    return ReadyAnswer(Answer{});
  }
  std::atomic<int> lookups{0};
};

TEST(MemoResolver, TheSameQuestionTwiceGoesUpstreamOnce) {
  CountingResolver upstream;
  MemoResolver memo(upstream);
  AnswerFuture first = memo.Lookup({"sel._domainkey.example.org", RecordType::kTxt});
  AnswerFuture again = memo.Lookup({"SEL._domainkey.Example.org.", RecordType::kTxt});
  EXPECT_EQ(upstream.lookups.load(), 1);
  EXPECT_EQ(memo.questions(), 1u);
  EXPECT_TRUE(first.get().has_value() && again.get().has_value());
}

TEST(MemoResolver, DifferentTypesAreDifferentQuestions) {
  CountingResolver upstream;
  MemoResolver memo(upstream);
  memo.Lookup({"example.org", RecordType::kTxt});
  memo.Lookup({"example.org", RecordType::kA});
  EXPECT_EQ(upstream.lookups.load(), 2);
}

TEST(MemoResolver, ConcurrentAsksShareOneLookup) {
  CountingResolver upstream;
  MemoResolver memo(upstream);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&memo] {
      for (int n = 0; n < 100; ++n) memo.Lookup({"n" + std::to_string(n % 10), RecordType::kTxt});
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(upstream.lookups.load(), 10);
}

}  // namespace
}  // namespace kenin::dns
