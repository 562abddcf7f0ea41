// make_corpus: writes the issue 7 corpus (bench/mix_corpus.h) into a directory, for
// benchmarks that read files (corpus_bench, opendkim_harness, `kenin verify`):
//   m00000.eml ...  the messages, CRLF line ends
//   zone.txt        RFC 1035 master file: keys and DMARC records, for `kenin verify --zone`
//   keys.txt        the keys in libopendkim's DKIM_QUERY_FILE format
//   mix.txt         the realized mix, as also printed
// Usage: make_corpus --out DIR [--messages N] [--seed S]
// Files named m<digits>.eml already in DIR are removed first, so a smaller corpus does not
// leave messages of a larger one behind; nothing else there is touched.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <string_view>

#include "bench/mix_corpus.h"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr, "make_corpus: %s\nusage: make_corpus --out DIR [--messages N] [--seed S]\n",
               problem.c_str());
  std::exit(2);
}

bool WriteFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(out);
}

uint64_t Number(std::string_view flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0') Usage(std::string(flag) + " needs a number");
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path out;
  uint64_t messages = 1000;
  uint64_t seed = kenin::bench::kDefaultSeed;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) Usage("missing value after " + std::string(arg));
    if (arg == "--out") {
      out = argv[++i];
    } else if (arg == "--messages") {
      messages = Number(arg, argv[++i]);
    } else if (arg == "--seed") {
      seed = Number(arg, argv[++i]);
    } else {
      Usage("unknown argument " + std::string(arg));
    }
  }
  if (out.empty()) Usage("--out DIR is required");
  if (messages == 0 || messages > 99999) Usage("--messages must be 1..99999");

  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) Usage("cannot create " + out.string() + ": " + ec.message());
  static const std::regex kOurs(R"(m[0-9]+\.eml)");
  for (const fs::directory_entry& entry : fs::directory_iterator(out)) {
    if (std::regex_match(entry.path().filename().string(), kOurs)) fs::remove(entry.path());
  }

  kenin::bench::MixCorpus corpus(messages, seed);
  kenin::bench::MixTally tally;
  for (size_t i = 0; i < corpus.size(); ++i) {
    kenin::bench::MixMessage m = corpus.Make(i);
    char name[32];
    std::snprintf(name, sizeof(name), "m%05zu.eml", i);
    if (!WriteFile(out / name, m.message.text())) Usage("cannot write " + (out / name).string());
    tally.Add(m);
  }
  const std::string summary = tally.Describe();
  if (!WriteFile(out / "zone.txt", corpus.zone_text()) ||
      !WriteFile(out / "keys.txt", corpus.key_file_text()) ||
      !WriteFile(out / "mix.txt", summary)) {
    Usage("cannot write into " + out.string());
  }
  std::printf("%s", summary.c_str());
  return 0;
}
