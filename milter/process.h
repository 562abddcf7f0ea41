// Process-level chores of a Unix daemon, each a small function: going to the background
// with a start-up report to the parent, the pid file, the unix socket's mode and owner, and
// dropping root. Errors come back as text for the caller to log; nothing here logs.
// Not thread-safe: call from the main thread before any other thread starts.
#pragma once

#include <optional>
#include <string>

namespace kenin::milter {

using ProcessError = std::optional<std::string>;  // nullopt: done

// Forks into the background (new session, cwd /, stdin/stdout on /dev/null, and stderr too
// unless `keep_stderr`). The parent waits for ReportStarted() or the child's exit and
// exits with 0 or 1 itself, printing any error the child reported; only the child returns.
// REQUIRES: no thread started yet (fork copies only the calling thread).
ProcessError Daemonize(bool keep_stderr);
// From the daemonized child: start-up went well (`error` empty) or failed with `error`.
// A no-op when Daemonize() was not called.
void ReportStarted(const std::string& error);

// Writes the pid to `path` (and gives it to `user`, when set, so the daemon can remove it).
ProcessError WritePidFile(const std::string& path, const std::string& user);
void RemovePidFile(const std::string& path);

// The path of a unix:/ or local:/ socket spec; "" for inet sockets.
std::string UnixSocketPath(const std::string& spec);
// Sets a unix socket's mode (and owner, when `user` is set); does nothing for inet sockets.
ProcessError SetSocketPermissions(const std::string& spec, int mode, const std::string& user);

// Switches to `user` (groups, gid, uid) when running as root; an error when not root and
// `user` is someone else. Empty `user`: nothing.
ProcessError DropPrivileges(const std::string& user);

}  // namespace kenin::milter
