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

nlohmann::json DkimJson(const std::vector<verifier::DkimVerdict>& verdicts) {
  nlohmann::json dkim = nlohmann::json::array();
  for (const verifier::DkimVerdict& v : verdicts) {
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
  return dkim;
}

nlohmann::json ToJson(const std::string& file, const policy::SessionReport& report) {
  nlohmann::json json = {{"file", file}, {"dkim", DkimJson(report.dkim)}};
  if (report.spf) {
    json["spf"] = {{"result", policy::ToToken(report.spf->result)},
                   {"domain", report.spf->domain},
                   {"identity", report.spf->identity},
                   {"reason", report.spf->reason}};
  }
  if (report.dmarc) {
    const policy::DmarcVerdict& d = *report.dmarc;
    json["dmarc"] = {{"result", policy::ToToken(d.result)},
                     {"policy", d.policy ? std::string(policy::ToToken(*d.policy)) : "none"},
                     {"disposition", policy::ToToken(d.disposition)},
                     {"from_domain", d.from_domain},
                     {"reason", d.reason}};
  }
  json["score"] = report.score;
  json["authentication_results"] = report.authentication_results;
  return json;
}

}  // namespace

std::optional<policy::SessionReport> VerifyStream(std::istream& in, const VerifyCommandOptions& options,
                                                  dns::Resolver& resolver) {
  const int64_t now = NowSeconds(options);
  policy::MessageSession session(options.session, resolver, options.envelope);
  MessageParser parser({
      .on_header = [&](std::string_view name, std::string_view value) { session.OnHeader(name, value); },
      .on_end_of_headers = [&] { session.OnEndOfHeaders(now); },
      .on_body = [&](std::string_view chunk) { session.OnBodyChunk(chunk); },
  });
  std::string buffer(kReadChunk, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    parser.Feed(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return std::nullopt;
  parser.Finish();
  return session.OnEndOfMessage();
}

int RunVerify(const VerifyCommandOptions& options, dns::Resolver& resolver, std::ostream& out,
              std::ostream& err) {
  int status = 0;
  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.emplace_back("-");
  for (const std::string& path : inputs) {
    std::optional<policy::SessionReport> report;
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
      // DNS data is not UTF-8 (a TXT record may hold any octet): U+FFFD, not a throw.
      out << ToJson(path, *report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      out << "Authentication-Results: "
          << policy::FoldAuthResults(options.session.authserv_id, report->resinfo, "\n\t") << "\n";
    }
  }
  return status;
}

}  // namespace kenin::tools
