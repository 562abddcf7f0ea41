// kenind's log: one line per message (SPEC §5: queue id, client, each result, time taken)
// plus start, reload, stop and error lines, to stderr or syslog (facility mail).
// Thread-safe: callbacks of many connections log at once; lines never interleave.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "milter/config.h"
#include "milter/message.h"

namespace kenin::milter {

enum class Severity { kInfo, kWarning, kError };

class Logger {
 public:
  explicit Logger(LogTarget target) { SetTarget(target); }
  // A reload may move the log between stderr and syslog.
  void SetTarget(LogTarget target);
  void Log(Severity severity, std::string_view line);

 private:
  std::atomic<LogTarget> target_{LogTarget::kStderr};
  std::mutex stderr_mutex_;
  std::once_flag syslog_opened_;
};

struct MessageLog {
  std::string queue_id;  // "-" when the MTA sent none
  std::string client_ip;
  const Outcome* outcome = nullptr;
  long long eom_ms = 0;    // end-of-message work: what the MTA waited for at the end
  long long total_ms = 0;  // MAIL FROM to the answer
};

// "queue=ID client=IP dkim=pass:example.org,fail:example.com spf=pass dmarc=pass:example.org
//  score=-3.0 action=accept eom_ms=2 total_ms=40" (text from the message is made printable).
std::string FormatMessageLine(const MessageLog& log);

}  // namespace kenin::milter
