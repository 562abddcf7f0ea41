// The [arc] table (milter/config.h ArcConfig) and how it reaches the message session
// (milter/runtime.cc): defaults, every key, sealer names normalized and checked.
#include <gtest/gtest.h>

#include <sstream>

#include "milter/config.h"
#include "milter/runtime.h"

namespace kenin::milter {
namespace {

ConfigResult<Config> Parse(const std::string& text) {
  std::istringstream in(text);
  return ParseConfig(in, "k.toml");
}

std::string Error(const std::string& text) {
  auto config = Parse(text);
  return config ? "(no error)" : config.error().message;
}

TEST(ArcConfig, DefaultsAreOnWithNoTrustedSealer) {
  auto config = Parse("");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->arc.enabled);
  EXPECT_TRUE(config->arc.trusted_sealers.empty());
  EXPECT_EQ(config->arc.max_older_signatures, 7);
}

TEST(ArcConfig, EveryKeyIsReadAndSealersAreLowerCaseWithoutTheRootDot) {
  auto config = Parse(
      "[arc]\nenabled = false\ntrusted_sealers = [\"Lists.Example.ORG.\", \"fwd.example\"]\n"
      "max_older_signatures = 0\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->arc.enabled);
  EXPECT_EQ(config->arc.trusted_sealers,
            (std::vector<std::string>{"lists.example.org", "fwd.example"}));
  EXPECT_EQ(config->arc.max_older_signatures, 0);
}

TEST(ArcConfig, BadValuesNameTheKey) {
  EXPECT_EQ(Error("[arc]\ntrusted_sealers = [\"bad domain\"]\n"),
            "k.toml:2: arc.trusted_sealers: must be a domain name (letters, digits, '-', '_' "
            "and dots)");
  EXPECT_EQ(Error("[arc]\ntrusted_sealers = [\"a..b\"]\n"),
            "k.toml:2: arc.trusted_sealers: must be a domain name (labels of 1..63 characters)");
  EXPECT_EQ(Error("[arc]\ntrusted_sealers = [\".\"]\n"),
            "k.toml:2: arc.trusted_sealers: must be a domain name of 1..253 characters");
  EXPECT_EQ(Error("[arc]\ntrusted_sealers = \"one.example\"\n"),
            "k.toml:2: arc.trusted_sealers: must be a list of strings");
  EXPECT_EQ(Error("[arc]\nmax_older_signatures = 50\n"),
            "k.toml:2: arc.max_older_signatures: must be 0..49");
  EXPECT_EQ(Error("[arc]\ntrusted = []\n"),
            "k.toml:2: arc.trusted: unknown key (docs/configuration.md lists them)");
}

TEST(ArcConfig, ReachesTheSessionWithTheDkimKeyRules) {
  auto config = Parse(
      "[arc]\ntrusted_sealers = [\"fwd.example\"]\nmax_older_signatures = 3\n"
      "[dkim]\nclock_skew = 60\n[dns]\nzone = []\n");
  ASSERT_TRUE(config) << config.error().message;
  auto runtime = BuildRuntime(std::make_shared<const Config>(*config), nullptr);
  ASSERT_TRUE(runtime) << runtime.error();
  const policy::ArcSettings& arc = (*runtime)->session.arc;
  EXPECT_TRUE(arc.enabled);
  EXPECT_EQ(arc.trusted_sealers, std::vector<std::string>{"fwd.example"});
  EXPECT_EQ(arc.verifier.max_older_signatures, 3);
  EXPECT_EQ(arc.verifier.clock_skew_seconds, 60);
  EXPECT_EQ(arc.verifier.key.min_rsa_bits, (*runtime)->session.dkim.key.min_rsa_bits);
  EXPECT_EQ(arc.verifier.signature.allow_rsa_sha1, (*runtime)->session.dkim.signature.allow_rsa_sha1);
}

}  // namespace
}  // namespace kenin::milter
