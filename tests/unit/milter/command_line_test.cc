#include "milter/command_line.h"

#include <gtest/gtest.h>

#include <sstream>

#include "milter_test_support.h"

namespace kenin::milter {
namespace {

std::variant<CommandLine, int> Parse(std::vector<std::string> args,
                                     std::string* err_text = nullptr) {
  args.insert(args.begin(), "kenind");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out, err;
  auto result = ParseCommandLine(static_cast<int>(argv.size()), argv.data(), out, err);
  if (err_text) *err_text = err.str();
  return result;
}

TEST(CommandLine, FlagsAreRead) {
  auto parsed = Parse({"--socket", "inet:1234@127.0.0.1", "--resolver", "127.0.0.1:5353",
                       "--resolver", "::1", "--metrics", "off", "--authserv-id", "mx.test", "-f"});
  ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
  const CommandLine& flags = std::get<CommandLine>(parsed);
  EXPECT_EQ(flags.socket, "inet:1234@127.0.0.1");
  EXPECT_EQ(flags.resolver, (std::vector<std::string>{"127.0.0.1:5353", "::1"}));
  EXPECT_EQ(flags.metrics, "off");
  EXPECT_EQ(flags.authserv_id, "mx.test");
  EXPECT_TRUE(flags.foreground);
  EXPECT_FALSE(flags.check_only);
}

TEST(CommandLine, ZoneAndConfigPathsBecomeAbsolute) {
  std::string sample = KENIN_TEST_DATA_DIR "/zones/sample.zone";
  auto parsed = Parse({"--zone", sample, "-c", KENIN_SOURCE_DIR "/dist/kenind.toml"});
  ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
  EXPECT_TRUE(std::get<CommandLine>(parsed).zone.at(0).starts_with('/'));
  EXPECT_TRUE(std::get<CommandLine>(parsed).config_file.starts_with('/'));
}

TEST(CommandLine, UsageErrorsExitTwoAndHelpZero) {
  std::string err;
  auto parsed = Parse({"--no-such-flag"}, &err);
  ASSERT_TRUE(std::holds_alternative<int>(parsed));
  EXPECT_EQ(std::get<int>(parsed), 2);
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(std::get<int>(Parse({"-c", "/nonexistent.toml"})), 2);
  EXPECT_EQ(std::get<int>(Parse({"--help"})), 0);
}

TEST(CommandLine, FlagsOverrideTheFile) {
  Config config;
  config.dns.zone = {"/etc/kenin/a.zone"};
  config.log = LogTarget::kSyslog;
  CommandLine flags;
  flags.socket = "unix:/tmp/k.sock";
  flags.resolver = {"127.0.0.1"};
  flags.authserv_id = "mx.flag";
  flags.metrics = "off";
  flags.foreground = true;
  auto applied = ApplyFlags(config, flags);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->socket, "unix:/tmp/k.sock");
  EXPECT_EQ(applied->dns.resolver, (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_TRUE(applied->dns.zone.empty());  // --resolver replaces the file's zone
  EXPECT_EQ(applied->authserv_id, "mx.flag");
  EXPECT_EQ(applied->metrics, "off");
  EXPECT_EQ(applied->log, LogTarget::kStderr);  // -f logs to stderr
}

TEST(CommandLine, BadFlagValuesNameTheFlag) {
  CommandLine flags;
  flags.socket = "tcp:25";
  EXPECT_EQ(ApplyFlags(Config{}, flags).error().message,
            "--socket: expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST");
  flags = CommandLine{};
  flags.metrics = "9489";
  EXPECT_EQ(ApplyFlags(Config{}, flags).error().message, "--metrics: expected HOST:PORT or off");
  flags = CommandLine{};
  flags.authserv_id = "a b";
  EXPECT_EQ(ApplyFlags(Config{}, flags).error().message.rfind("--authserv-id: ", 0), 0u);
  flags = CommandLine{};
  flags.resolver = {"127.0.0.1"};
  flags.zone = {"/tmp/z"};
  EXPECT_EQ(ApplyFlags(Config{}, flags).error().message,
            "--zone: --zone and --resolver exclude each other");
}

TEST(CommandLine, EffectiveConfigReadsTheNamedFile) {
  testing::TempDir dir;
  CommandLine flags;
  flags.config_file =
      dir.Write("k.toml", "authserv_id = \"from.file\"\nfailure_action = \"tempfail\"\n");
  flags.authserv_id = "from.flag";
  auto config = LoadEffectiveConfig(flags);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->authserv_id, "from.flag");
  EXPECT_EQ(config->failure_action, FailureAction::kTempFail);
}

}  // namespace
}  // namespace kenin::milter
