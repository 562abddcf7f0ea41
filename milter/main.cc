// kenind: the DKIM, SPF and DMARC verification milter (SPEC §5). Exit codes: 0 after a clean
// stop, 1 when it could not start (socket, privileges, DNS), 2 on bad flags or configuration.
#include <iostream>
#include <variant>

#include "milter/command_line.h"
#include "milter/daemon.h"

int main(int argc, char** argv) {
  using namespace kenin::milter;
  auto parsed = ParseCommandLine(argc, argv, std::cout, std::cerr);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const CommandLine& flags = std::get<CommandLine>(parsed);
  ConfigResult<Config> config = LoadEffectiveConfig(flags);
  if (!config) {
    std::cerr << "kenind: " << config.error().message << "\n";
    return kExitUsage;
  }
  if (flags.check_only) {
    std::cout << "kenind: configuration OK\n";
    return kExitOk;
  }
  return RunDaemon(flags, *config);
}
