// kenind's life from a checked configuration to exit: listen, drop privileges, serve
// through libmilter, reload on SIGHUP, drain and stop on SIGTERM (SPEC §5).
#pragma once

#include "milter/command_line.h"
#include "milter/config.h"

namespace kenin::milter {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // could not start (socket, privileges, DNS)
inline constexpr int kExitUsage = 2;    // bad flags or configuration

// Runs until SIGTERM/SIGINT; returns the exit code. `config` has the flags applied.
// REQUIRES: called from main() before any thread is started.
int RunDaemon(const CommandLine& flags, const Config& config);

}  // namespace kenin::milter
