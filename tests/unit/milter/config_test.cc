#include "milter/config.h"

#include <gtest/gtest.h>

#include <sstream>

#include "milter_test_support.h"

namespace kenin::milter {
namespace {

ConfigResult<Config> Parse(const std::string& text,
                           const std::string& name = "/etc/kenin/kenind.toml") {
  std::istringstream in(text);
  return ParseConfig(in, name);
}

std::string Error(const std::string& text) {
  auto config = Parse(text, "k.toml");
  return config ? "(no error)" : config.error().message;
}

TEST(Config, EmptyFileIsTheEmbeddedDefaults) {
  auto config = Parse("");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->socket, "inet:8891@127.0.0.1");
  EXPECT_EQ(config->socket_mode, 0660);
  EXPECT_EQ(config->log, LogTarget::kSyslog);
  EXPECT_EQ(config->metrics, "127.0.0.1:9489");
  EXPECT_EQ(config->failure_action, FailureAction::kAccept);
  EXPECT_TRUE(config->authserv_id.empty());
  EXPECT_TRUE(config->internal_networks.empty());
  EXPECT_EQ(config->dkim.max_signatures, 8);
  EXPECT_EQ(config->dkim.max_signed_headers, 128);
  EXPECT_EQ(config->dkim.min_rsa_bits, 1024);
  EXPECT_EQ(config->limits.max_header_bytes, 262144);
  EXPECT_EQ(config->limits.eom_budget_ms, 10000);
  EXPECT_EQ(config->dns.timeout_ms, 2000);
  EXPECT_EQ(config->cache.capacity, 10000);
  EXPECT_FALSE(config->cache.serve_stale);
  EXPECT_FALSE(config->score.enabled);  // one field per message unless asked for
  EXPECT_EQ(config->score.weights, policy::ScoreOptions{}.weights);
  EXPECT_EQ(config->dmarc.enforcement, policy::EnforcementMode::kOff);
}

TEST(Config, EveryKeyIsRead) {
  auto config = Parse(R"(
socket = "unix:/run/kenin/kenind.sock"
socket_mode = "0600"
user = "root"
pid_file = "/run/kenin/kenind.pid"
authserv_id = "mx.example.net"
log = "stderr"
metrics = "[::1]:9100"
internal_networks = ["127.0.0.0/8", "::1/128"]
failure_action = "tempfail"
drain_seconds = 5
[dkim]
max_signatures = 4
clock_skew = 60
max_signed_headers = 40
min_rsa_bits = 2048
[limits]
max_header_bytes = 65536
eom_budget_ms = 2500
[dns]
resolver = ["127.0.0.1:5353", "[::1]:53"]
timeout_ms = 500
attempts = 2
[cache]
capacity = 100
min_ttl = 1
max_ttl = 600
max_negative_ttl = 60
servfail_ttl = 2
serve_stale = true
max_stale = 3600
[score]
enabled = true
header = "X-Auth-Score"
[score.weights]
"dkim=pass" = -2
"spf=none" = 0.25
[dmarc]
mode = "rfc7489"
enforcement = "on"
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->socket, "unix:/run/kenin/kenind.sock");
  EXPECT_EQ(config->socket_mode, 0600);
  EXPECT_EQ(config->user, "root");
  EXPECT_EQ(config->log, LogTarget::kStderr);
  EXPECT_EQ(config->internal_networks.size(), 2u);
  EXPECT_EQ(config->failure_action, FailureAction::kTempFail);
  EXPECT_EQ(config->drain_seconds, 5);
  EXPECT_EQ(config->dkim.max_signatures, 4);
  EXPECT_EQ(config->dkim.clock_skew_seconds, 60);
  EXPECT_EQ(config->dkim.max_signed_headers, 40);
  EXPECT_EQ(config->dkim.min_rsa_bits, 2048);
  EXPECT_EQ(config->limits.max_header_bytes, 65536);
  EXPECT_EQ(config->limits.eom_budget_ms, 2500);
  EXPECT_EQ(config->dns.resolver.size(), 2u);
  EXPECT_EQ(config->dns.attempts, 2);
  EXPECT_EQ(config->cache.max_negative_ttl, 60);
  EXPECT_TRUE(config->cache.serve_stale);
  EXPECT_TRUE(config->score.enabled);
  EXPECT_EQ(config->score.header, "X-Auth-Score");
  EXPECT_EQ(config->score.weights.at("dkim=pass"), -2.0);
  EXPECT_EQ(config->score.weights.at("spf=none"), 0.25);
  EXPECT_EQ(config->score.weights.at("dmarc=fail"), 3.0);  // keys left out keep their default
  EXPECT_EQ(config->dmarc.mode, policy::DmarcMode::kRfc7489);
  EXPECT_EQ(config->dmarc.enforcement, policy::EnforcementMode::kOn);
}

TEST(Config, SocketModeAcceptsTomlOctal) {
  auto config = Parse("socket_mode = 0o640\n");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->socket_mode, 0640);
  EXPECT_EQ(Error("socket_mode = \"0999\"\n"),
            "k.toml:1: socket_mode: must be an octal mode such as \"0660\"");
}

TEST(Config, ErrorsNameTheFileLineAndKey) {
  EXPECT_EQ(Error("socket = \"inet:0@127.0.0.1\"\n"), "k.toml:1: socket: port must be 1..65535");
  EXPECT_EQ(Error("\n\n[dns]\nattempts = 11\n"), "k.toml:4: dns.attempts: must be 1..10");
  EXPECT_EQ(Error("[cache]\nserve_stale = \"yes\"\n"),
            "k.toml:2: cache.serve_stale: must be true or false");
  EXPECT_EQ(Error("log = \"file\"\n"), "k.toml:1: log: must be one of stderr | syslog");
  EXPECT_EQ(Error("internal_networks = \"10.0.0.0/8\"\n"),
            "k.toml:1: internal_networks: must be a list of strings");
  EXPECT_EQ(Error("internal_networks = [\n  \"10.0.0.0/8\",\n  \"300.1.1.1\",\n]\n"),
            "k.toml:3: internal_networks: not an IP address: '300.1.1.1'");
  EXPECT_EQ(Error("[score.weights]\n\"dkim=pass\" = \"low\"\n"),
            "k.toml:2: score.weights.dkim=pass: must be a number");
  EXPECT_EQ(Error("[score]\nheader = \"X Score\"\n"),
            "k.toml:2: score.header: must be printable ASCII without ':'");
  EXPECT_EQ(Error("pid_file = \"run/k.pid\"\n"), "k.toml:1: pid_file: must be an absolute path");
  EXPECT_EQ(Error("[cache]\nmin_ttl = 100\nmax_ttl = 10\n"),
            "k.toml:2: cache.min_ttl: must not exceed max_ttl");
  EXPECT_EQ(Error("dns = 3\n"), "k.toml:1: dns: must be a table");
}

TEST(Config, ResourceBoundsAreRangeChecked) {
  EXPECT_EQ(Error("[limits]\nmax_header_bytes = 1000\n"),
            "k.toml:2: limits.max_header_bytes: must be 16384..67108864");
  EXPECT_EQ(Error("[limits]\neom_budget_ms = 0\n"),
            "k.toml:2: limits.eom_budget_ms: must be 100..300000");
  EXPECT_EQ(Error("[limits]\neom_budget_ms = 600000\n"),
            "k.toml:2: limits.eom_budget_ms: must be 100..300000");
  EXPECT_EQ(Error("[limits]\neom_budget_ms = \"10s\"\n"),
            "k.toml:2: limits.eom_budget_ms: must be an integer");
  EXPECT_EQ(Error("[dkim]\nmax_signed_headers = 0\n"),
            "k.toml:2: dkim.max_signed_headers: must be 1..10000");
  EXPECT_EQ(Error("[dkim]\nmin_rsa_bits = 512\n"), "k.toml:2: dkim.min_rsa_bits: must be 1024..4096");
  EXPECT_EQ(Error("[dkim]\nmax_signatures = 65\n"), "k.toml:2: dkim.max_signatures: must be 1..64");
  EXPECT_EQ(Error("[limits]\nmax_headers = 10\n"),
            "k.toml:2: limits.max_headers: unknown key (docs/configuration.md lists them)");
}

TEST(Config, UnknownKeysAreErrors) {
  EXPECT_EQ(Error("socet = \"inet:1@127.0.0.1\"\n"),
            "k.toml:1: socet: unknown key (docs/configuration.md lists them)");
  EXPECT_EQ(Error("[dns]\n\ntimeout = 5\n"),
            "k.toml:3: dns.timeout: unknown key (docs/configuration.md lists them)");
}

TEST(Config, SyntaxErrorsNameTheLine) {
  std::string error = Error("a = 1\n[dns\n");
  EXPECT_EQ(error.rfind("k.toml:2: TOML syntax error", 0), 0u) << error;
}

TEST(Config, ResolverAndZoneExcludeEachOther) {
  testing::TempDir dir;
  std::string zone = dir.Write("z.zone", "");
  EXPECT_EQ(Error("[dns]\nresolver = [\"127.0.0.1\"]\nzone = [\"" + zone + "\"]\n"),
            "k.toml:3: dns.zone: zone and resolver exclude each other");
}

TEST(Config, RelativeZonePathsAreRelativeToTheFile) {
  testing::TempDir dir;
  dir.Write("local.zone", "");
  std::string path = dir.Write("kenind.toml", "[dns]\nzone = [\"local.zone\"]\n");
  auto config = LoadConfigFile(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->dns.zone.at(0), (dir.path() / "local.zone").string());
}

TEST(Config, MissingFileIsAnError) {
  auto config = LoadConfigFile("/nonexistent/kenind.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "/nonexistent/kenind.toml: cannot read the configuration file");
}

// The DNS resource bounds (issue 8; their effect: tests/e2e/dns_faults_e2e.py).
TEST(Config, DnsBoundsAreReadAndRangeChecked) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->dns.max_answer_bytes, 16384);
  EXPECT_EQ(defaults->dns.max_concurrent_lookups, 32);
  EXPECT_EQ(defaults->dns.max_queued_lookups, 1024);
  auto config = Parse("[dns]\nmax_answer_bytes = 4096\nmax_concurrent_lookups = 2\nmax_queued_lookups = 0\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->dns.max_answer_bytes, 4096);
  EXPECT_EQ(config->dns.max_concurrent_lookups, 2);
  EXPECT_EQ(config->dns.max_queued_lookups, 0);
  EXPECT_EQ(Error("[dns]\nmax_answer_bytes = 511\n"), "k.toml:2: dns.max_answer_bytes: must be 512..65535");
  EXPECT_EQ(Error("[dns]\nmax_answer_bytes = 65536\n"), "k.toml:2: dns.max_answer_bytes: must be 512..65535");
  EXPECT_EQ(Error("[dns]\nmax_concurrent_lookups = 0\n"),
            "k.toml:2: dns.max_concurrent_lookups: must be 1..1024");
  EXPECT_EQ(Error("[dns]\nmax_queued_lookups = -1\n"),
            "k.toml:2: dns.max_queued_lookups: must be 0..1000000");
}

// The local policy on DKIM results (policy/dkim_local_policy.h): l= and the AD bit.
TEST(Config, UnsignedBodyAndTrustAdAreReadAndChecked) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->dkim.unsigned_body, policy::UnsignedBody::kPolicy);
  EXPECT_FALSE(defaults->dns.trust_ad);
  auto config = Parse("[dkim]\nunsigned_body = \"pass\"\n[dns]\ntrust_ad = true\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->dkim.unsigned_body, policy::UnsignedBody::kPass);
  EXPECT_TRUE(config->dns.trust_ad);
  EXPECT_EQ(Error("[dkim]\nunsigned_body = \"fail\"\n"),
            "k.toml:2: dkim.unsigned_body: must be one of policy | pass");
  EXPECT_EQ(Error("[dkim]\nunsigned_body = true\n"),
            "k.toml:2: dkim.unsigned_body: must be one of policy | pass");
  EXPECT_EQ(Error("[dns]\ntrust_ad = \"yes\"\n"), "k.toml:2: dns.trust_ad: must be true or false");
}

// dist/kenind.toml documents every key with its default: it must stay valid and default.
TEST(Config, ShippedSampleIsValidAndDefault) {
  auto config = LoadConfigFile(KENIN_SOURCE_DIR "/dist/kenind.toml");
  ASSERT_TRUE(config) << config.error().message;
  Config defaults;
  EXPECT_EQ(config->socket, defaults.socket);
  EXPECT_EQ(config->socket_mode, defaults.socket_mode);
  EXPECT_EQ(config->metrics, defaults.metrics);
  EXPECT_EQ(config->log, defaults.log);
  EXPECT_EQ(config->drain_seconds, defaults.drain_seconds);
  EXPECT_EQ(config->dkim, defaults.dkim);
  EXPECT_EQ(config->limits, defaults.limits);
  EXPECT_EQ(config->dns, defaults.dns);
  EXPECT_EQ(config->cache, defaults.cache);
  EXPECT_EQ(config->score.header, defaults.score.header);
  EXPECT_EQ(config->score.weights, defaults.score.weights);
  EXPECT_EQ(config->dmarc.enforcement, defaults.dmarc.enforcement);
}

}  // namespace
}  // namespace kenin::milter
