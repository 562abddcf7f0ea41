// `kenin verify`: runs messages from files or stdin through DKIM, SPF (when the client IP is
// given) and DMARC, and prints one Authentication-Results line or JSON object per message
// (SPEC §6).
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "policy/message_session.h"

namespace kenin::tools {

struct VerifyCommandOptions {
  std::string format = "ar";        // "ar" or "json"
  std::vector<std::string> inputs;  // paths; "-" is stdin
  std::optional<int64_t> now;       // fixed clock (tests); default: the system clock
  policy::SessionOptions session;   // authserv-id, DKIM, SPF, DMARC, score options
  policy::Envelope envelope;        // --ip, --helo, --mail-from: the same for every message
};

// Verifies every input in order with one shared resolver. Returns the exit code of SPEC §6:
// 0 when every message was read, 1 on an I/O error (the other messages are still done).
int RunVerify(const VerifyCommandOptions& options, dns::Resolver& resolver, std::ostream& out,
              std::ostream& err);

// Verifies one message read from `in`; nullopt on a read error.
std::optional<policy::SessionReport> VerifyStream(std::istream& in, const VerifyCommandOptions& options,
                                                  dns::Resolver& resolver);

}  // namespace kenin::tools
