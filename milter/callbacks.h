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

#include "milter/log.h"
#include "milter/runtime.h"

namespace kenin::milter {

// Where an internal error happened (kenin_errors_total{stage} once metrics are wired).
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

struct Counters {
  std::array<std::atomic<uint64_t>, kStageCount> errors{};
  std::atomic<uint64_t> messages{0};
  std::atomic<int64_t> active_connections{0};
  std::atomic<int64_t> messages_in_flight{0};  // MAIL FROM seen, no end or abort yet
  std::atomic<bool> draining{false};           // SIGTERM: new connections are refused
};

// What the callbacks share; must outlive smfi_main().
struct Services {
  RuntimeHolder& runtime;
  Logger& logger;
  Counters& counters;
};

// Registers the callbacks with libmilter (smfi_register) and makes `services` theirs.
// Returns false when libmilter refuses (it logs why).
bool RegisterCallbacks(Services& services);

}  // namespace kenin::milter
