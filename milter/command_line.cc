#include "milter/command_line.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <sstream>

#include "milter/config_checks.h"

namespace kenin::milter {
namespace {

constexpr int kExitUsage = 2;

void AddOptions(CLI::App& app, CommandLine& flags) {
  app.add_option("-c,--config", flags.config_file, "Configuration file (TOML)")
      ->check(CLI::ExistingFile);
  app.add_option("--socket", flags.socket, "Listen on unix:/path or inet:PORT@HOST");
  app.add_option("--resolver", flags.resolver, "Nameserver IP[:PORT] (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--zone", flags.zone, "Answer DNS from this RFC 1035 master file (repeatable)")
      ->check(CLI::ExistingFile)
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--metrics", flags.metrics, "Metrics address HOST:PORT, or off");
  app.add_option("--authserv-id", flags.authserv_id,
                 "authserv-id of Authentication-Results (default: host name)");
  app.add_flag("-f,--foreground", flags.foreground, "Stay in the foreground and log to stderr");
  app.add_flag("--check", flags.check_only, "Check the configuration and exit");
  app.set_version_flag("--version", "kenind " KENIN_VERSION);
}

ConfigResult<Config> FlagError(const std::string& flag, const std::string& problem) {
  return tl::unexpected(ConfigError{flag + ": " + problem});
}

}  // namespace

std::variant<CommandLine, int> ParseCommandLine(int argc, char** argv, std::ostream& out,
                                                std::ostream& err) {
  CLI::App app{"kenind: DKIM, SPF and DMARC verification milter"};
  CommandLine flags;
  AddOptions(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return code == 0 ? 0 : kExitUsage;
  }
  // Relative paths are relative to where kenind was started, also on a reload after the
  // daemon has changed to /.
  for (std::string& zone : flags.zone)
    zone = std::filesystem::absolute(zone).lexically_normal().string();
  if (!flags.config_file.empty()) {
    flags.config_file = std::filesystem::absolute(flags.config_file).lexically_normal().string();
  }
  return flags;
}

ConfigResult<Config> ApplyFlags(Config config, const CommandLine& flags) {
  if (flags.socket) {
    if (Problem problem = CheckSocket(*flags.socket)) return FlagError("--socket", *problem);
    config.socket = *flags.socket;
  }
  for (const std::string& server : flags.resolver) {
    if (Problem problem = CheckNameServer(server)) return FlagError("--resolver", *problem);
  }
  if (!flags.resolver.empty() && !flags.zone.empty())
    return FlagError("--zone", "--zone and --resolver exclude each other");
  if (!flags.resolver.empty()) {
    config.dns.resolver = flags.resolver;
    config.dns.zone.clear();
  }
  if (!flags.zone.empty()) {
    config.dns.zone = flags.zone;
    config.dns.resolver.clear();
  }
  if (flags.metrics) {
    if (Problem problem = CheckMetricsAddress(*flags.metrics))
      return FlagError("--metrics", *problem);
    config.metrics = *flags.metrics;
  }
  if (flags.authserv_id) {
    if (Problem problem = CheckAuthservId(*flags.authserv_id))
      return FlagError("--authserv-id", *problem);
    config.authserv_id = *flags.authserv_id;
  }
  if (flags.foreground) config.log = LogTarget::kStderr;
  return config;
}

ConfigResult<Config> LoadEffectiveConfig(const CommandLine& flags) {
  std::string path = flags.config_file;
  std::error_code ignored;
  if (path.empty() && std::filesystem::exists(kDefaultConfigPath, ignored))
    path = kDefaultConfigPath;
  ConfigResult<Config> config =
      path.empty() ? ConfigResult<Config>(Config{}) : LoadConfigFile(path);
  if (!config) return config;
  return ApplyFlags(std::move(*config), flags);
}

}  // namespace kenin::milter
