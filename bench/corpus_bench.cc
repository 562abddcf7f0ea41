// The verifier core and its floor over an on-disk corpus (bench/make_corpus), so "percent of
// the floor" is measured on exactly the messages the libopendkim harness and `kenin verify`
// read (bench/compare_opendkim.sh).
//
//   BM_Corpus/kenin  every message, per iteration, through a fresh DkimVerifier as the milter
//                    drives it (fields one by one, end of headers, the body in 64 KiB chunks,
//                    end of message), keys from the corpus's zone.txt loaded once into a
//                    ZoneResolver (as BM_Mix); every signature must pass.
//   BM_Corpus/floor  the same messages through FloorEngine (bench/floor_engine.h): SHA-256 of
//                    each distinct canonical body, of each signature's header data, and one
//                    verify per signature, keys decoded once.
//
// Usage: corpus_bench --corpus DIR [Google Benchmark flags]
// items_per_second is messages per second on one core (CPU time): 1e6 / it is CPU µs per message.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/disk_corpus.h"
#include "bench/floor_engine.h"
#include "dns/zone_resolver.h"

namespace kenin::bench {
namespace {

constexpr int64_t kNow = kSignTime + 60;  // shortly after t=: the signatures are current

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "corpus_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Fixture {
  explicit Fixture(DiskCorpus disk, dns::ZoneResolver zone_resolver)
      : corpus(std::move(disk)), zone(std::move(zone_resolver)), floor(zone) {}

  DiskCorpus corpus;
  dns::ZoneResolver zone;
  verifier::VerifyOptions options;
  FloorEngine floor;
  std::vector<FloorMessage> floors;
  size_t signatures = 0;
};

void Report(benchmark::State& state, const Fixture& f) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.corpus.messages.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.corpus.bytes));
  state.counters["sigs_per_msg"] =
      static_cast<double>(f.signatures) / static_cast<double>(f.corpus.messages.size());
}

void BM_CorpusKenin(benchmark::State& state, Fixture* f) {
  for (auto _ : state) {
    size_t passed = 0;
    for (const CorpusMessage& m : f->corpus.messages) {
      passed += Verify(kNow, f->options, f->zone, m).passed;
    }
    if (passed != f->signatures) {
      state.SkipWithError("not every signature passes");
      break;
    }
  }
  Report(state, *f);
}

void BM_CorpusFloor(benchmark::State& state, Fixture* f) {
  for (auto _ : state) {
    if (!f->floor.RunAll(f->floors)) {
      state.SkipWithError("a floor signature does not verify");
      break;
    }
  }
  Report(state, *f);
}

// Removes "--corpus DIR" / "--corpus=DIR" from argv, before Google Benchmark sees it.
std::string TakeCorpusFlag(int& argc, char** argv) {
  std::string dir;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--corpus" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg.starts_with("--corpus=")) {
      dir = std::string(arg.substr(9));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return dir;
}

std::unique_ptr<Fixture> Load(const std::string& dir) {
  std::string error;
  auto disk = LoadDiskCorpus(dir, error);
  if (!disk) Die(error);
  auto zone = dns::ZoneResolver::FromFiles({disk->zone_path});
  if (!zone) Die("zone does not load: " + zone.error().detail);
  auto f = std::make_unique<Fixture>(std::move(*disk), std::move(*zone));
  for (const CorpusMessage& m : f->corpus.messages) {
    f->floors.push_back(f->floor.Prepare(m));  // checks every signature passes at the floor
    f->signatures += f->floors.back().signatures.size();
    const VerifyTally tally = Verify(kNow, f->options, f->zone, m);
    if (tally.passed != tally.signatures ||
        tally.signatures != f->floors.back().signatures.size()) {
      Die("kenin does not pass every signature of a corpus message");
    }
  }
  return f;
}

}  // namespace
}  // namespace kenin::bench

int main(int argc, char** argv) {
  const std::string dir = kenin::bench::TakeCorpusFlag(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (dir.empty()) kenin::bench::Die("--corpus DIR is required (a make_corpus directory)");
  auto fixture = kenin::bench::Load(dir);  // parsed, checked and prepared before any timing
  benchmark::RegisterBenchmark("BM_Corpus/kenin", kenin::bench::BM_CorpusKenin, fixture.get());
  benchmark::RegisterBenchmark("BM_Corpus/floor", kenin::bench::BM_CorpusFloor, fixture.get());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
