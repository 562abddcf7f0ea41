// kenind's command line (SPEC §5):
//   kenind [-c FILE] [--socket unix:/path|inet:PORT@HOST] [--resolver IP[:PORT]]...
//          [--zone FILE]... [--metrics HOST:PORT|off] [--authserv-id ID] [-f] [--check]
// Flags override the file, on start and on every reload. Without -c, kenind reads
// kDefaultConfigPath when that file exists, else runs on the embedded defaults.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "milter/config.h"

namespace kenin::milter {

inline constexpr const char* kDefaultConfigPath = "/etc/kenin/kenind.toml";

struct CommandLine {
  std::string config_file;  // -c; empty: kDefaultConfigPath if it exists
  std::optional<std::string> socket;
  std::vector<std::string> resolver;  // replace [dns] resolver (and any zone)
  std::vector<std::string> zone;      // replace [dns] zone (and any resolver); made absolute
  std::optional<std::string> metrics;
  std::optional<std::string> authserv_id;
  bool foreground = false;  // -f: no fork, log to stderr
  bool check_only = false;  // --check: load and check the configuration, then exit
};

// The flags, or the exit code to leave with at once (0 after --help/--version, 2 on a usage
// error, which has been written to `err`).
std::variant<CommandLine, int> ParseCommandLine(int argc, char** argv, std::ostream& out,
                                                std::ostream& err);

// The file the flags name (or the default one, or none), with the flags applied over it.
// Errors name the file and line, or the flag.
ConfigResult<Config> LoadEffectiveConfig(const CommandLine& flags);

// The flags over `config`; what a flag carries is checked like the key it replaces.
ConfigResult<Config> ApplyFlags(Config config, const CommandLine& flags);

}  // namespace kenin::milter
