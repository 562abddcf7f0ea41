// ParseAuthResults and ParseAuthservId (RFC 8601 §2.2) on any field value, and the renderer
// on what they read. Properties: parse -> render (QuoteIfNeeded, RenderAuthResults) -> parse
// gives the same authserv-id, methods, results, reasons and properties (round trip);
// ParseAuthservId agrees with ParseAuthResults; methods and results are lower-case words and
// property names "ptype.property"; a DKIM resinfo rendered by DkimResinfo from any of the
// values read (as d=, s=, i=, a=, b= and a reason taken from a hostile message would be) is
// printable ASCII, so no octet of a message can break or truncate our header, and reads back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "policy/auth_results.h"
#include "policy/auth_results_parser.h"

using kenin::fuzz::Check;
namespace p = kenin::policy;
namespace v = kenin::verifier;

namespace {

std::string Render(const p::ParsedAuthResults& parsed) {
  std::vector<std::string> items;
  for (const p::ParsedResinfo& info : parsed.results) {
    std::string item = info.method + "=" + info.result;
    if (!info.reason.empty()) item += " reason=" + p::QuoteIfNeeded(info.reason);
    for (const auto& [name, value] : info.properties)
      item += " " + name + "=" + p::QuoteIfNeeded(value);
    items.push_back(std::move(item));
  }
  return p::RenderAuthResults(p::QuoteIfNeeded(parsed.authserv_id), items);
}

bool Same(const p::ParsedAuthResults& a, const p::ParsedAuthResults& b) {
  if (a.authserv_id != b.authserv_id || a.results.size() != b.results.size()) return false;
  for (size_t i = 0; i < a.results.size(); ++i) {
    const p::ParsedResinfo& x = a.results[i];
    const p::ParsedResinfo& y = b.results[i];
    if (x.method != y.method || x.result != y.result || x.reason != y.reason ||
        x.properties != y.properties) {
      return false;
    }
  }
  return true;
}

bool IsLowerWord(std::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// What DkimResinfo writes for a signature whose fields hold `values`.
void CheckDkimRendering(const std::vector<std::string>& values) {
  v::DkimVerdict verdict;
  verdict.result = v::DkimResult::kPermError;
  auto at = [&values](size_t i) {
    return values.empty() ? std::string() : values[i % values.size()];
  };
  verdict.reason = at(0);
  verdict.ids = {
      .domain = at(1), .selector = at(2), .identity = at(3), .algorithm = at(4), .b_prefix = at(5)};
  const std::string header = p::RenderAuthResults("mx.example.net", p::DkimResinfo({&verdict, 1}));
  Check(kenin::fuzz::IsPrintableAscii(header), "rendered A-R is printable ASCII", header);
  auto back = p::ParseAuthResults(header);
  Check(back.has_value() && back->results.size() == 1, "rendered A-R reads back", header);
  Check(back->results[0].method == "dkim" && back->results[0].result == "permerror",
        "rendered A-R: method and result", header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = kenin::fuzz::AsText(data, size);
  auto id = p::ParseAuthservId(text);
  auto parsed = p::ParseAuthResults(text);
  if (!parsed) return 0;
  if (!parsed->authserv_id.empty()) {
    Check(id == parsed->authserv_id, "ParseAuthservId agrees", parsed->authserv_id);
  }
  std::vector<std::string> values = {parsed->authserv_id};
  for (const p::ParsedResinfo& info : parsed->results) {
    Check(IsLowerWord(info.method) && IsLowerWord(info.result), "lower-case words", info.method);
    for (const auto& [name, value] : info.properties) {
      const size_t dot = name.find('.');
      Check(dot != std::string::npos && IsLowerWord(name.substr(0, dot)) &&
                IsLowerWord(name.substr(dot + 1)),
            "property name is ptype.property", name);
      values.push_back(value);
    }
    values.push_back(info.reason);
  }
  const std::string rendered = Render(*parsed);
  auto again = p::ParseAuthResults(rendered);
  Check(again.has_value(), "rendered value parses", rendered);
  Check(Same(*parsed, *again), "round trip", rendered);
  CheckDkimRendering(values);
  return 0;
}
