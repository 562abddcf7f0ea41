// A whole message through the ARC verifier the way `kenin verify` will drive it:
// MessageParser splits it (bare LF read as CRLF, folding kept) and ArcVerifier validates the
// chain against a fixed zone (tests/data/zones/sample.zone plus the ARC suite's keys.zone when
// the conformance data is there) at a fixed time. Properties: the message fed whole and fed
// in chunks of fuzzer-chosen sizes gives the same verdict; the result is none exactly when
// there is no ARC field; a reason is empty exactly for pass and otherwise printable and
// bounded; a pass has 1..50 sets, one entry each, and an oldest-pass of 0 or 2..N; a reported
// smtp.remote-ip is a short printable address; report strings hold no control octets.
// Input: the message, then (from the end) up to 8 chunk sizes that repeat.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "arc/arc_verifier.h"
#include "dns/zone_resolver.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/message_input.h"
#include "tools/message_parser.h"

using kenin::fuzz::Check;
namespace arc = kenin::arc;

namespace {

constexpr int64_t kNow = 1800000000;

kenin::dns::ZoneResolver* zone = nullptr;

struct Run {
  arc::ArcVerdict verdict;
  size_t arc_fields = 0;
};

Run Verify(std::string_view message, const std::vector<size_t>& sizes) {
  Run run;
  arc::ArcVerifier verifier(arc::ArcOptions{}, *zone);
  kenin::tools::MessageParser parser({
      .on_header =
          [&](std::string_view name, std::string_view value) {
            if (arc::ArcFieldKindOf(name)) ++run.arc_fields;
            verifier.OnHeader(name, value);
          },
      .on_end_of_headers = [&] { verifier.OnEndOfHeaders(kNow); },
      .on_body = [&](std::string_view chunk) { verifier.OnBodyChunk(chunk); },
  });
  kenin::fuzz::FeedMessage(parser, message, sizes);
  run.verdict = verifier.OnEndOfMessage();
  return run;
}

bool SameVerdict(const arc::ArcVerdict& a, const arc::ArcVerdict& b) {
  if (a.result != b.result || a.reason != b.reason || a.instances != b.instances ||
      a.oldest_pass != b.oldest_pass || a.remote_ip != b.remote_ip ||
      a.sets.size() != b.sets.size()) {
    return false;
  }
  for (size_t i = 0; i < a.sets.size(); ++i) {
    const arc::ArcSetInfo& x = a.sets[i];
    const arc::ArcSetInfo& y = b.sets[i];
    if (x.instance != y.instance || x.authserv_id != y.authserv_id ||
        x.auth_results != y.auth_results ||
        x.seal_domain != y.seal_domain || x.seal_selector != y.seal_selector ||
        x.signature_domain != y.signature_domain || x.signature_selector != y.signature_selector) {
      return false;
    }
  }
  return true;
}

bool NoControlOctets(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The ARC suite's keys are optional (a checkout without ../shared); the sample zone is not.
  std::string text = kenin::fuzz::ReadFileText(KENIN_TEST_DATA_DIR "/zones/sample.zone");
  const std::string arc_keys = kenin::fuzz::ReadFileText(KENIN_CONFORMANCE_DIR "/arc/keys.zone");
  auto loaded = kenin::dns::ZoneResolver::FromText(text + "\n" + arc_keys, "arc-fuzz.zone");
  if (text.empty() || !loaded) {
    std::fprintf(stderr, "cannot load the zones: %s\n",
                 loaded ? "" : loaded.error().detail.c_str());
    std::exit(2);
  }
  zone = new kenin::dns::ZoneResolver(std::move(*loaded));  // lives for the whole run
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  const kenin::fuzz::MessageInput input = kenin::fuzz::ConsumeMessageInput(provider);
  const std::string& message = input.message;

  const Run whole = Verify(message, {});
  const Run chunked = Verify(message, input.chunk_sizes);
  const arc::ArcVerdict& verdict = whole.verdict;
  Check(SameVerdict(verdict, chunked.verdict), "chunked gives the same verdict",
        verdict.reason + " / " + chunked.verdict.reason);
  Check((verdict.result == arc::ArcResult::kNone) == (whole.arc_fields == 0),
        "none exactly when there is no ARC field", verdict.reason);
  Check(verdict.reason.empty() == (verdict.result == arc::ArcResult::kPass),
        "reason empty exactly for pass", verdict.reason);
  if (!verdict.reason.empty()) kenin::fuzz::CheckReason(verdict.reason, "ARC verdict");
  if (verdict.result == arc::ArcResult::kPass) {
    const int n = verdict.instances;
    Check(n >= 1 && n <= arc::kMaxInstance, "a pass has 1..50 sets", std::to_string(n));
    Check(verdict.sets.size() == static_cast<size_t>(n), "one entry per set");
    for (size_t i = 0; i < verdict.sets.size(); ++i) {
      Check(verdict.sets[i].instance == static_cast<int>(i + 1), "sets in instance order");
    }
    if (verdict.oldest_pass) {
      const int oldest = *verdict.oldest_pass;
      Check(oldest == 0 || (oldest >= 2 && oldest <= n), "oldest-pass is 0 or 2..N",
            std::to_string(oldest));
    }
    Check(!verdict.sealer().empty(), "a pass names its sealer");
  } else {
    Check(!verdict.oldest_pass, "oldest-pass only with pass");
  }
  Check(verdict.remote_ip.size() <= 45 && kenin::fuzz::IsPrintableAscii(verdict.remote_ip),
        "remote-ip is a short printable address", verdict.remote_ip);
  for (const arc::ArcSetInfo& set : verdict.sets) {
    Check(set.authserv_id.size() <= 255 && NoControlOctets(set.authserv_id),
          "authserv-id bounded, no control octets", set.authserv_id);
    Check(NoControlOctets(set.seal_domain) && NoControlOctets(set.seal_selector) &&
              NoControlOctets(set.signature_domain) && NoControlOctets(set.signature_selector),
          "set ids hold no control octets");
  }
  return 0;
}
