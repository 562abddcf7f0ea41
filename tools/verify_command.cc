#include "tools/verify_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <iostream>

#include "policy/auth_results.h"
#include "tools/message_parser.h"
#include "tools/verify_json.h"

namespace kenin::tools {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

int64_t NowSeconds(const VerifyCommandOptions& options) {
  if (options.now) return *options.now;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One message, its bytes from `read(buffer, capacity)`: the count read, 0 at the end, -1 on a
// read error. `buffer` is scratch of at least kReadChunk octets, reused across messages.
template <typename Read>
std::optional<policy::SessionReport> VerifyChunks(Read read, char* buffer,
                                                  const VerifyCommandOptions& options,
                                                  dns::Resolver& resolver) {
  const int64_t now = NowSeconds(options);
  policy::MessageSession session(options.session, resolver, options.envelope);
  MessageParser parser({
      .on_header = [&](std::string_view name, std::string_view value) { session.OnHeader(name, value); },
      .on_end_of_headers = [&] { session.OnEndOfHeaders(now); },
      .on_body = [&](std::string_view chunk) { session.OnBodyChunk(chunk); },
  });
  for (;;) {
    const std::ptrdiff_t n = read(buffer, kReadChunk);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    parser.Feed(std::string_view(buffer, static_cast<size_t>(n)));
  }
  parser.Finish();
  return session.OnEndOfMessage();
}

// A file read with plain read(2) into the caller's buffer: no stream object per file.
std::optional<policy::SessionReport> VerifyFile(const std::string& path, char* buffer,
                                                const VerifyCommandOptions& options,
                                                dns::Resolver& resolver) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto report = VerifyChunks(
      [fd](char* into, size_t capacity) -> std::ptrdiff_t {
        for (;;) {
          const ssize_t n = ::read(fd, into, capacity);
          if (n >= 0 || errno != EINTR) return n;
        }
      },
      buffer, options, resolver);
  ::close(fd);
  return report;
}

}  // namespace

std::optional<policy::SessionReport> VerifyStream(std::istream& in,
                                                  const VerifyCommandOptions& options,
                                                  dns::Resolver& resolver) {
  std::vector<char> buffer(kReadChunk);
  return VerifyChunks(
      [&in](char* into, size_t capacity) -> std::ptrdiff_t {
        if (!in) return 0;
        in.read(into, static_cast<std::streamsize>(capacity));
        if (in.bad()) return -1;
        return static_cast<std::ptrdiff_t>(in.gcount());
      },
      buffer.data(), options, resolver);
}

int RunVerify(const VerifyCommandOptions& options, dns::Resolver& resolver, std::ostream& out,
              std::ostream& err) {
  int status = 0;
  const std::vector<std::string> standard_input{"-"};
  const std::vector<std::string>& inputs = options.inputs.empty() ? standard_input : options.inputs;
  std::vector<char> buffer(kReadChunk);  // one read buffer for every file
  std::string line;                      // one output line, reused
  for (const std::string& path : inputs) {
    std::optional<policy::SessionReport> report =
        path == "-" ? VerifyStream(std::cin, options, resolver)
                    : VerifyFile(path, buffer.data(), options, resolver);
    if (!report) {
      err << "kenin verify: cannot read " << path << "\n";
      status = 1;
      continue;
    }
    if (options.format == "json") {
      line.clear();
      AppendReportJson(path, *report, line);
      line += '\n';
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    } else {
      out << "Authentication-Results: "
          << policy::FoldAuthResults(options.session.authserv_id, report->resinfo, "\n\t") << "\n";
    }
  }
  return status;
}

}  // namespace kenin::tools
