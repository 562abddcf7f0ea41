#include "tools/verify_command.h"

#include <chrono>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "policy/auth_results.h"
#include "tools/message_parser.h"

namespace kenin::tools {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

int64_t NowSeconds(const VerifyCommandOptions& options) {
  if (options.now) return *options.now;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json ToJson(const std::string& file, const MessageReport& report) {
  nlohmann::json dkim = nlohmann::json::array();
  for (const verifier::DkimVerdict& v : report.dkim) {
    dkim.push_back({{"result", verifier::ToToken(v.result)},
                    {"domain", v.ids.domain},
                    {"selector", v.ids.selector},
                    {"algorithm", v.ids.algorithm},
                    {"identity", v.ids.identity},
                    {"key_bits", v.ids.key_bits},
                    {"reason", v.reason},
                    {"testing", v.key_testing},
                    {"body_truncated", v.body_truncated}});
  }
  return {{"file", file}, {"dkim", dkim}, {"authentication_results", report.authentication_results}};
}

}  // namespace

std::optional<MessageReport> VerifyStream(std::istream& in, const VerifyCommandOptions& options,
                                          dns::Resolver& resolver) {
  const int64_t now = NowSeconds(options);
  verifier::DkimVerifier verifier(options.verify, resolver);
  MessageParser parser({
      .on_header = [&](std::string_view name, std::string_view value) { verifier.OnHeader(name, value); },
      .on_end_of_headers = [&] { verifier.OnEndOfHeaders(now); },
      .on_body = [&](std::string_view chunk) { verifier.OnBodyChunk(chunk); },
  });
  std::string buffer(kReadChunk, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    parser.Feed(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return std::nullopt;
  parser.Finish();

  MessageReport report;
  report.dkim = verifier.OnEndOfMessage();
  report.authentication_results =
      policy::RenderAuthResults(options.authserv_id, policy::DkimResinfo(report.dkim));
  return report;
}

int RunVerify(const VerifyCommandOptions& options, dns::Resolver& resolver, std::ostream& out,
              std::ostream& err) {
  int status = 0;
  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.emplace_back("-");
  for (const std::string& path : inputs) {
    std::optional<MessageReport> report;
    if (path == "-") {
      report = VerifyStream(std::cin, options, resolver);
    } else {
      std::ifstream file(path, std::ios::binary);
      if (file) report = VerifyStream(file, options, resolver);
    }
    if (!report) {
      err << "kenin verify: cannot read " << path << "\n";
      status = 1;
      continue;
    }
    if (options.format == "json") {
      out << ToJson(path, *report).dump() << "\n";
    } else {
      out << "Authentication-Results: "
          << policy::FoldAuthResults(options.authserv_id, policy::DkimResinfo(report->dkim), "\n\t")
          << "\n";
    }
  }
  return status;
}

}  // namespace kenin::tools
