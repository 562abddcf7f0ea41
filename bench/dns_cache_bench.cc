// The DNS cache (dns/caching_resolver.h): what a hit costs, and what a warm cache is worth
// to DKIM verification.
//
//   BM_CacheHit/threads:N        one Lookup() of a fresh entry per iteration, cycling over a
//                                warm cache of 1000 names (each thread from its own offset),
//                                future read included: the hit path. Real time; ns per lookup
//                                as one thread sees it, items_per_second for all threads.
//   BM_CacheHitOneName/threads:N the same on a single name: every thread takes the same
//                                shard lock.
//   BM_NewCacheOneMiss           a new CachingResolver and one lookup that misses and is
//                                answered by the zone: what "cold" adds per batch besides
//                                decoding the key.
//   BM_VerifyCold/<alg>/batch:B  B messages (2 KiB bodies, one key) verified through a
//                                CachingResolver made for that batch: the first key lookup
//                                misses, goes to the zone and its key is decoded into the
//                                new answer's memo; the other B-1 lookups hit.
//   BM_VerifyWarm/<alg>          the same 16 messages through one CachingResolver kept across
//                                iterations: every lookup hits, the key is decoded already.
//
// The backend is the corpus zone (dns::ZoneResolver) behind an adapter that gives every reply
// a memo of its own, as replies from the network have: ZoneResolver's own answers share one
// memo for the life of the zone, which would make even a new cache warm. worker_threads is 0
// (answers from memory need no thread, as `kenin verify --zone` runs it), so "cold" does not
// pay for starting a worker pool. items_per_second is messages per second on one core.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/corpus.h"
#include "dns/caching_resolver.h"
#include "dns/zone_resolver.h"
#include "verifier/dkim_verifier.h"

namespace kenin::bench {
namespace {

constexpr size_t kHitNames = 1000;
constexpr size_t kBodyBytes = 2 * 1024;
constexpr size_t kWarmBatch = 16;
constexpr int64_t kNow = kSignTime + 60;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "dns_cache_bench: %s\n", what.c_str());
  std::abort();
}

// Any name: one TXT record, a day of TTL. For the hit path only; it is never asked during
// the timed loop.
class SyntheticBackend : public dns::BlockingResolver {
 public:
  dns::Result<dns::Answer> Resolve(const dns::Question& question) override {
    dns::Answer answer;
    answer.records.push_back(dns::Record{{"v=DKIM1; k=ed25519; p=" + question.name}, 86400});
    answer.ttl = 86400;
    return answer;
  }
};

// The corpus zone, each reply with a fresh memo (see the top of the file).
class FreshMemoZone : public dns::BlockingResolver {
 public:
  explicit FreshMemoZone(dns::ZoneResolver& zone) : zone_(zone) {}
  dns::Result<dns::Answer> Resolve(const dns::Question& question) override {
    dns::Result<dns::Answer> result = zone_.Resolve(question);
    if (result) result->memo = std::make_shared<dns::AnswerMemo>();
    return result;
  }

 private:
  dns::ZoneResolver& zone_;
};

dns::CacheOptions InMemoryOptions() {
  dns::CacheOptions options;
  options.worker_threads = 0;
  return options;
}

struct HitFixture {
  SyntheticBackend backend;
  dns::CachingResolver cache{backend, InMemoryOptions()};
  std::vector<dns::Question> questions;

  HitFixture() {
    for (size_t i = 0; i < kHitNames; ++i) {
      questions.push_back(dns::Question{"s" + std::to_string(i) + "._domainkey.example" +
                                            std::to_string(i % 37) + ".com",
                                        dns::RecordType::kTxt});
      if (!cache.Lookup(questions.back()).get()) Die("warm-up lookup failed");
    }
    if (cache.Stats().entries != kHitNames) Die("the warm cache does not hold every name");
  }
};

HitFixture& Hits() {
  static HitFixture fixture;  // built once, before (or by) the first thread that needs it
  return fixture;
}

void LookupLoop(benchmark::State& state, size_t names) {
  HitFixture& f = Hits();
  const uint64_t misses_before = f.cache.Stats().misses;
  size_t i = static_cast<size_t>(state.thread_index()) * (kHitNames / 2);
  for (auto _ : state) {
    dns::AnswerFuture future = f.cache.Lookup(f.questions[i % names]);
    benchmark::DoNotOptimize(future.get()->records.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  if (f.cache.Stats().misses != misses_before) state.SkipWithError("a lookup missed");
}

void BM_CacheHit(benchmark::State& state) { LookupLoop(state, kHitNames); }
void BM_CacheHitOneName(benchmark::State& state) { LookupLoop(state, 1); }

struct VerifyFixture {
  Corpus corpus;
  dns::ZoneResolver zone{LoadZone(corpus)};
  FreshMemoZone backend{zone};
  verifier::VerifyOptions options;
  std::vector<std::vector<CorpusMessage>> batches;  // kWarmBatch messages per KeyAlg

  static dns::ZoneResolver LoadZone(const Corpus& corpus) {
    auto zone = dns::ZoneResolver::FromText(corpus.zone_text(), "bench-corpus");
    if (!zone) Die("zone does not load: " + zone.error().detail);
    return std::move(*zone);
  }

  VerifyFixture() {
    for (KeyAlg alg : kAllKeyAlgs) {
      std::vector<CorpusMessage>& batch = batches.emplace_back();
      for (size_t i = 0; i < kWarmBatch; ++i) batch.push_back(corpus.Make(alg, kBodyBytes, i));
    }
  }
};


bool VerifyBatch(VerifyFixture& f, dns::Resolver& resolver,
                 const std::vector<CorpusMessage>& batch, size_t count) {
  bool ok = true;
  for (size_t i = 0; i < count; ++i) ok = VerifyOnce(kNow, f.options, resolver, batch[i]) && ok;
  return ok;
}

void BM_VerifyCold(benchmark::State& state, VerifyFixture* f, size_t alg) {
  const size_t batch = static_cast<size_t>(state.range(0));
  uint64_t misses = 0;
  for (auto _ : state) {
    dns::CachingResolver cache(f->backend, InMemoryOptions());
    if (!VerifyBatch(*f, cache, f->batches[alg], batch)) {
      state.SkipWithError("a verdict is not pass");
      break;
    }
    misses += cache.Stats().misses;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  state.counters["misses_per_batch"] =
      static_cast<double>(misses) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

// What "cold" adds besides verification: a new cache and one miss answered by the zone.
void BM_NewCacheOneMiss(benchmark::State& state, VerifyFixture* f) {
  const dns::Question question{std::string(Name(KeyAlg::kRsa2048)) + "._domainkey." +
                                   std::string(kDomain),
                               dns::RecordType::kTxt};
  for (auto _ : state) {
    dns::CachingResolver cache(f->backend, InMemoryOptions());
    dns::AnswerFuture future = cache.Lookup(question);
    if (!future.get() || future.get()->records.empty()) {
      state.SkipWithError("the key is not in the zone");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyWarm(benchmark::State& state, VerifyFixture* f, size_t alg) {
  dns::CachingResolver cache(f->backend, InMemoryOptions());
  if (!VerifyBatch(*f, cache, f->batches[alg], kWarmBatch)) Die("warm-up verdict is not pass");
  const uint64_t misses_before = cache.Stats().misses;
  for (auto _ : state) {
    if (!VerifyBatch(*f, cache, f->batches[alg], kWarmBatch)) {
      state.SkipWithError("a verdict is not pass");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kWarmBatch));
  state.counters["misses_per_batch"] =
      static_cast<double>(cache.Stats().misses - misses_before) /
      static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

void RegisterAll(VerifyFixture& f) {
  benchmark::RegisterBenchmark("BM_CacheHit", BM_CacheHit)->Threads(1)->Threads(2)->UseRealTime();
  benchmark::RegisterBenchmark("BM_CacheHitOneName", BM_CacheHitOneName)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_NewCacheOneMiss", BM_NewCacheOneMiss, &f);
  for (size_t a = 0; a < kAllKeyAlgs.size(); ++a) {
    const std::string alg(Name(kAllKeyAlgs[a]));
    benchmark::RegisterBenchmark(("BM_VerifyCold/" + alg).c_str(), BM_VerifyCold, &f, a)
        ->ArgName("batch")
        ->Arg(1)
        ->Arg(static_cast<int64_t>(kWarmBatch));
    benchmark::RegisterBenchmark(("BM_VerifyWarm/" + alg).c_str(), BM_VerifyWarm, &f, a);
  }
}

}  // namespace
}  // namespace kenin::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Keys, signatures, the zone and the warm hit cache are made here, before any timing.
  auto fixture = std::make_unique<kenin::bench::VerifyFixture>();
  kenin::bench::Hits();
  kenin::bench::RegisterAll(*fixture);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
