// A whole message through the path `kenin verify` takes: MessageParser splits it (bare LF
// read as CRLF, folding kept), DkimVerifier verifies every DKIM-Signature against a fixed
// zone (the keys of tests/data/zones/sample.zone) at a fixed time, and the verdicts are
// rendered as Authentication-Results. Properties: the message fed whole and fed in chunks of
// fuzzer-chosen sizes gives the same verdicts (result, reason, ids); there is one verdict per
// DKIM-Signature field (up to kMaxListedSignatures, then one for the rest); a reason is empty exactly for pass and otherwise printable and
// bounded; the rendered header is printable ASCII and reads back with one dkim result each.
// Input: the message, then (from the end) up to 8 chunk sizes that repeat.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dns/zone_resolver.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/message_input.h"
#include "policy/auth_results.h"
#include "policy/auth_results_parser.h"
#include "tools/message_parser.h"
#include "verifier/dkim_verifier.h"

using kenin::fuzz::Check;
namespace v = kenin::verifier;

namespace {

constexpr int64_t kNow = 1800000000;  // after the sample messages' t=, before nothing expires

kenin::dns::ZoneResolver* zone = nullptr;

struct Run {
  std::vector<v::DkimVerdict> verdicts;
  size_t signature_fields = 0;
};

Run Verify(std::string_view message, const std::vector<size_t>& sizes) {
  Run run;
  v::DkimVerifier verifier(v::VerifyOptions{}, *zone);
  kenin::tools::MessageParser parser({
      .on_header =
          [&](std::string_view name, std::string_view value) {
            if (v::FieldNameEquals(name, "DKIM-Signature")) ++run.signature_fields;
            verifier.OnHeader(name, value);
          },
      .on_end_of_headers = [&] { verifier.OnEndOfHeaders(kNow); },
      .on_body = [&](std::string_view chunk) { verifier.OnBodyChunk(chunk); },
  });
  kenin::fuzz::FeedMessage(parser, message, sizes);
  run.verdicts = verifier.OnEndOfMessage();
  return run;
}

bool SameVerdict(const v::DkimVerdict& a, const v::DkimVerdict& b) {
  return a.result == b.result && a.reason == b.reason && a.ids.domain == b.ids.domain &&
         a.ids.selector == b.ids.selector && a.ids.identity == b.ids.identity &&
         a.ids.algorithm == b.ids.algorithm && a.ids.b_prefix == b.ids.b_prefix &&
         a.ids.key_bits == b.ids.key_bits && a.key_testing == b.key_testing &&
         a.body_truncated == b.body_truncated;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string text = kenin::fuzz::ReadFileText(KENIN_TEST_DATA_DIR "/zones/sample.zone");
  auto loaded = kenin::dns::ZoneResolver::FromText(text, "sample.zone");
  if (text.empty() || !loaded) {
    std::fprintf(stderr, "cannot load %s\n", KENIN_TEST_DATA_DIR "/zones/sample.zone");
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
  // One each, but past kMaxListedSignatures one verdict stands for all the rest.
  const size_t listed = std::min(whole.signature_fields, v::kMaxListedSignatures);
  Check(whole.verdicts.size() == listed + (whole.signature_fields > listed ? 1 : 0),
        "one verdict per DKIM-Signature (the fields past the listing bound share one)");
  Check(chunked.verdicts.size() == whole.verdicts.size(), "chunked: as many verdicts");
  for (size_t i = 0; i < whole.verdicts.size(); ++i) {
    const v::DkimVerdict& verdict = whole.verdicts[i];
    Check(SameVerdict(verdict, chunked.verdicts[i]), "chunked gives the same verdict",
          verdict.reason + " / " + chunked.verdicts[i].reason);
    Check(verdict.reason.empty() == (verdict.result == v::DkimResult::kPass),
          "reason empty exactly for pass", verdict.reason);
    if (!verdict.reason.empty()) kenin::fuzz::CheckReason(verdict.reason, "DKIM verdict");
  }
  const std::string header = kenin::policy::RenderAuthResults(
      "mx.example.net", kenin::policy::DkimResinfo(whole.verdicts));
  Check(kenin::fuzz::IsPrintableAscii(header), "rendered A-R is printable ASCII", header);
  auto back = kenin::policy::ParseAuthResults(header);
  Check(back && back->results.size() == std::max<size_t>(whole.verdicts.size(), 1),
        "rendered A-R reads back", header);
  return 0;
}
