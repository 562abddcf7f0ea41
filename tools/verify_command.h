// `kenin verify`: verifies messages from files or stdin and prints one
// Authentication-Results line or JSON object per message (SPEC §6).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "verifier/dkim_verifier.h"

namespace kenin::tools {

struct VerifyCommandOptions {
  std::string authserv_id;
  std::string format = "ar";  // "ar" or "json"
  std::vector<std::string> inputs;  // paths; "-" is stdin
  std::optional<int64_t> now;       // fixed clock (tests); default: the system clock
  verifier::VerifyOptions verify;
};

// Verifies every input in order with one shared resolver. Returns the exit code of SPEC §6:
// 0 when every message was read, 1 on an I/O error (the other messages are still done).
int RunVerify(const VerifyCommandOptions& options, dns::Resolver& resolver, std::ostream& out,
              std::ostream& err);

// What one message yielded: the verdicts in field order and the rendered header value.
struct MessageReport {
  std::vector<verifier::DkimVerdict> dkim;
  std::string authentication_results;
};

// Verifies one message read from `in`; nullopt on a read error.
std::optional<MessageReport> VerifyStream(std::istream& in, const VerifyCommandOptions& options,
                                          dns::Resolver& resolver);

}  // namespace kenin::tools
