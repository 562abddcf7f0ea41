// The libmilter callbacks of kenind (protocol v6, SPEC §5). Each is a trampoline: it finds
// the connection's state (smfi_getpriv), calls into Message, and catches every exception:
// the error is logged once per message, counted, and the configured failure action is
// answered at end-of-message, so an internal error never loses mail.
// Thread-safety: libmilter calls these from one thread per connection, at once for many
// connections; what they share (Services) is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "dns/worker_pool.h"
#include "metrics/daemon_metrics.h"
#include "milter/log.h"
#include "milter/runtime.h"

namespace kenin::milter {

// Where an internal error happened: the stage of the log line and of kenin_errors_total.
enum class Stage {
  kNegotiate,
  kConnect,
  kHelo,
  kMail,
  kHeader,
  kEndOfHeaders,
  kBody,
  kEndOfMessage,
  kAbort,
  kClose
};
inline constexpr size_t kStageCount = 10;
std::string_view StageName(Stage stage);

// What the daemon's drain needs to know (the rest is counted in metrics/).
struct Counters {
  std::atomic<int64_t> messages_in_flight{0};  // MAIL FROM seen, no end or abort yet
  std::atomic<bool> draining{false};           // SIGTERM: new connections are refused
};

// What the callbacks share; must outlive smfi_main().
struct Services {
  RuntimeHolder& runtime;
  Logger& logger;
  Counters& counters;
  metrics::DaemonMetrics* metrics = nullptr;  // null: metrics = "off"
  // Runs each message's SPF evaluation while its body streams (policy/message_session.h);
  // null: SPF is evaluated at end-of-message.
  dns::WorkerPool* background = nullptr;
};

// Registers the callbacks with libmilter (smfi_register) and makes `services` theirs.
// Returns false when libmilter refuses (it logs why).
bool RegisterCallbacks(Services& services);

}  // namespace kenin::milter
