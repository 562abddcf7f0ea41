#include "milter/config.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <toml.hpp>

#include "milter/config_checks.h"

namespace kenin::milter {
namespace {

// Reading stops at the first problem; it travels as this exception inside this file only.
struct Failure {
  std::string message;
};

using Check = std::function<Problem(const std::string&)>;

std::string Where(const toml::value& value) {
  const toml::source_location location = value.location();
  return location.file_name() + ":" + std::to_string(location.line()) + ": ";
}

// One TOML table of the file: typed reads that name the key and its line on error, and a
// final pass that rejects every key nobody asked for.
class Table {
 public:
  Table(const toml::value* value, std::string prefix) : value_(value), prefix_(std::move(prefix)) {}

  const toml::value* Find(const std::string& key) {
    known_.insert(key);
    if (!value_ || !value_->is_table()) return nullptr;
    const toml::table& table = value_->as_table();
    auto it = table.find(key);
    return it == table.end() ? nullptr : &it->second;
  }

  [[noreturn]] void Fail(const toml::value& value, const std::string& key,
                         const std::string& problem) const {
    throw Failure{Where(value) + prefix_ + key + ": " + problem};
  }

  void String(const std::string& key, std::string& out, const Check& check = nullptr) {
    const toml::value* value = Find(key);
    if (!value) return;
    if (!value->is_string()) Fail(*value, key, "must be a string");
    std::string text = value->as_string().str;
    if (check) {
      if (Problem problem = check(text)) Fail(*value, key, *problem);
    }
    out = std::move(text);
  }

  void Int(const std::string& key, int& out, int64_t low, int64_t high) {
    const toml::value* value = Find(key);
    if (!value) return;
    if (!value->is_integer()) Fail(*value, key, "must be an integer");
    int64_t number = value->as_integer();
    if (number < low || number > high) {
      Fail(*value, key, "must be " + std::to_string(low) + ".." + std::to_string(high));
    }
    out = static_cast<int>(number);
  }

  void Bool(const std::string& key, bool& out) {
    const toml::value* value = Find(key);
    if (!value) return;
    if (!value->is_boolean()) Fail(*value, key, "must be true or false");
    out = value->as_boolean();
  }

  // `transform` (paths made absolute) runs before `check`.
  void StringList(const std::string& key, std::vector<std::string>& out, const Check& check,
                  const std::function<std::string(std::string)>& transform = nullptr) {
    const toml::value* value = Find(key);
    if (!value) return;
    if (!value->is_array()) Fail(*value, key, "must be a list of strings");
    std::vector<std::string> items;
    for (const toml::value& item : value->as_array()) {
      if (!item.is_string()) Fail(item, key, "must be a list of strings");
      std::string text = transform ? transform(item.as_string().str) : item.as_string().str;
      if (Problem problem = check(text)) Fail(item, key, *problem);
      items.push_back(std::move(text));
    }
    out = std::move(items);
  }

  template <typename E>
  void Choice(const std::string& key, E& out,
              const std::vector<std::pair<std::string, E>>& choices) {
    const toml::value* value = Find(key);
    if (!value) return;
    std::string names;
    for (const auto& [name, choice] : choices) names += (names.empty() ? "" : " | ") + name;
    if (!value->is_string()) Fail(*value, key, "must be one of " + names);
    for (const auto& [name, choice] : choices) {
      if (value->as_string().str == name) {
        out = choice;
        return;
      }
    }
    Fail(*value, key, "must be one of " + names);
  }

  Table Sub(const std::string& key) {
    const toml::value* value = Find(key);
    if (value && !value->is_table()) Fail(*value, key, "must be a table");
    return Table(value, prefix_ + key + ".");
  }

  const toml::value* value() const { return value_; }

  void RejectUnknown() const {
    if (!value_ || !value_->is_table()) return;
    for (const auto& [key, value] : value_->as_table()) {
      if (known_.count(key) == 0)
        Fail(value, key, "unknown key (docs/configuration.md lists them)");
    }
  }

 private:
  const toml::value* value_;
  std::string prefix_;
  std::set<std::string> known_;
};

// Keys whose empty value means "none" or "the default" (user, pid_file, authserv_id, psl).
Check EmptyOr(Check check) {
  return [check](const std::string& text) -> Problem {
    return text.empty() ? std::nullopt : check(text);
  };
}

Check Absolute(Check then = nullptr) {
  return [then](const std::string& path) -> Problem {
    if (Problem problem = CheckAbsolutePath(path)) return problem;
    return then ? then(path) : std::nullopt;
  };
}

void ReadSocketMode(Table& top, Config& config) {
  // An octal string ("0660") reads as a mode; TOML also has 0o660. Both are accepted.
  const toml::value* value = top.Find("socket_mode");
  if (!value) return;
  int64_t mode = -1;
  if (value->is_integer()) {
    mode = value->as_integer();
  } else if (value->is_string()) {
    const std::string& text = value->as_string().str;
    char* end = nullptr;
    mode = text.empty() ? -1 : std::strtol(text.c_str(), &end, 8);
    if (text.empty() || *end != '\0') mode = -1;
  }
  if (mode < 0 || mode > 0777)
    top.Fail(*value, "socket_mode", "must be an octal mode such as \"0660\"");
  config.socket_mode = static_cast<int>(mode);
}

void ReadTop(Table& top, Config& config) {
  top.String("socket", config.socket, CheckSocket);
  ReadSocketMode(top, config);
  top.String("user", config.user, EmptyOr(CheckUser));
  top.String("pid_file", config.pid_file, EmptyOr(Absolute()));
  top.String("authserv_id", config.authserv_id, EmptyOr(CheckAuthservId));
  top.Choice("log", config.log, {{"stderr", LogTarget::kStderr}, {"syslog", LogTarget::kSyslog}});
  top.String("metrics", config.metrics, CheckMetricsAddress);
  top.StringList("internal_networks", config.internal_networks, CheckNetwork);
  top.Choice("failure_action", config.failure_action,
             {{"accept", FailureAction::kAccept}, {"tempfail", FailureAction::kTempFail}});
  top.Int("drain_seconds", config.drain_seconds, 0, 3600);
}

void ReadDkim(Table dkim, DkimConfig& out) {
  dkim.Int("max_signatures", out.max_signatures, 1, 64);
  dkim.Int("clock_skew", out.clock_skew_seconds, 0, 86400);
  dkim.Int("max_signed_headers", out.max_signed_headers, 1, 10000);
  // RFC 8301 §3.2: 1024 is the floor a verifier may not go under; 4096 the largest size
  // verifiers must handle, so a higher minimum would refuse keys signers are told to use.
  dkim.Int("min_rsa_bits", out.min_rsa_bits, 1024, 4096);
  dkim.Choice("unsigned_body", out.unsigned_body,
              {{"policy", policy::UnsignedBody::kPolicy}, {"pass", policy::UnsignedBody::kPass}});
  dkim.RejectUnknown();
}

void ReadLimits(Table limits, LimitsConfig& out) {
  // At least 16 KiB: below that ordinary mail (Received chains, ARC sets) would go over.
  limits.Int("max_header_bytes", out.max_header_bytes, 16 * 1024, 64 * 1024 * 1024);
  // At most 5 minutes, the longest default end-of-message timeout of Postfix and Sendmail.
  limits.Int("eom_budget_ms", out.eom_budget_ms, 100, 300000);
  limits.RejectUnknown();
}

// Relative paths in the file are relative to the file's directory, so a reload (after the
// daemon has changed to /) reads the same files.
std::function<std::string(std::string)> RelativeTo(const std::filesystem::path& base) {
  return [base](std::string path) { return (base / path).lexically_normal().string(); };
}

void ReadDns(Table dns, DnsConfig& out, const std::filesystem::path& base) {
  dns.StringList("resolver", out.resolver, CheckNameServer);
  dns.StringList("zone", out.zone, CheckReadableFile, RelativeTo(base));
  dns.Int("timeout_ms", out.timeout_ms, 1, 60000);
  dns.Int("attempts", out.attempts, 1, 10);
  dns.Int("max_answer_bytes", out.max_answer_bytes, 512, 65535);  // RFC 1035 §4.2.1: 512 is the UDP minimum
  dns.Int("max_concurrent_lookups", out.max_concurrent_lookups, 1, 1024);
  dns.Int("max_queued_lookups", out.max_queued_lookups, 0, 1'000'000);
  dns.Bool("trust_ad", out.trust_ad);
  dns.RejectUnknown();
  if (!out.resolver.empty() && !out.zone.empty()) {
    dns.Fail(*dns.Find("zone"), "zone", "zone and resolver exclude each other");
  }
}

void ReadCache(Table cache, CacheConfig& out) {
  constexpr int kWeek = 7 * 86400;
  cache.Int("capacity", out.capacity, 0, 10'000'000);
  cache.Int("min_ttl", out.min_ttl, 0, kWeek);
  cache.Int("max_ttl", out.max_ttl, 0, kWeek);
  cache.Int("max_negative_ttl", out.max_negative_ttl, 0, kWeek);
  cache.Int("servfail_ttl", out.servfail_ttl, 0, 3600);
  cache.Bool("serve_stale", out.serve_stale);
  cache.Int("max_stale", out.max_stale, 0, kWeek);
  cache.RejectUnknown();
  if (out.min_ttl > out.max_ttl)
    cache.Fail(*cache.Find("min_ttl"), "min_ttl", "must not exceed max_ttl");
}

void ReadWeights(Table weights, std::map<std::string, double>& out) {
  if (!weights.value()) return;
  for (const auto& [key, value] : weights.value()->as_table()) {
    if (Problem problem = CheckWeightKey(key)) weights.Fail(value, key, *problem);
    double weight = 0;
    if (value.is_integer()) {
      weight = static_cast<double>(value.as_integer());
    } else if (value.is_floating() && std::isfinite(value.as_floating())) {
      weight = value.as_floating();
    } else {
      weights.Fail(value, key, "must be a number");
    }
    out[key] = weight;  // keys left out keep their default weight
  }
}

void ReadScore(Table score, ScoreConfig& out) {
  score.Bool("enabled", out.enabled);
  score.String("header", out.header, CheckFieldName);
  ReadWeights(score.Sub("weights"), out.weights);
  score.RejectUnknown();
}

void ReadDmarc(Table dmarc, DmarcConfig& out) {
  dmarc.Choice(
      "mode", out.mode,
      {{"rfc9989", policy::DmarcMode::kRfc9989}, {"rfc7489", policy::DmarcMode::kRfc7489}});
  dmarc.String("psl", out.psl, EmptyOr(Absolute(CheckReadableFile)));
  dmarc.Choice("enforcement", out.enforcement,
               {{"off", policy::EnforcementMode::kOff}, {"on", policy::EnforcementMode::kOn}});
  dmarc.RejectUnknown();
}

// Trusted sealers are domain names compared case-insensitively: stored lower case, without
// a trailing dot.
void ReadArc(Table arc, ArcConfig& out) {
  arc.Bool("enabled", out.enabled);
  arc.StringList("trusted_sealers", out.trusted_sealers, CheckSealerDomain, [](std::string name) {
    if (name.ends_with('.')) name.pop_back();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
  });
  // 49: every AMS below the newest of a 50-set chain (RFC 8617 §4.2.1); each may cost a
  // lookup and a body hash (docs/arc.md "Limits and cost").
  arc.Int("max_older_signatures", out.max_older_signatures, 0, 49);
  arc.RejectUnknown();
}

Config Read(const toml::value& root, const std::filesystem::path& base) {
  Config config;
  Table top(&root, "");
  ReadTop(top, config);
  ReadDkim(top.Sub("dkim"), config.dkim);
  ReadLimits(top.Sub("limits"), config.limits);
  ReadDns(top.Sub("dns"), config.dns, base);
  ReadCache(top.Sub("cache"), config.cache);
  ReadScore(top.Sub("score"), config.score);
  ReadDmarc(top.Sub("dmarc"), config.dmarc);
  ReadArc(top.Sub("arc"), config.arc);
  top.RejectUnknown();
  return config;
}

}  // namespace

ConfigResult<Config> ParseConfig(std::istream& in, const std::string& name) {
  try {
    toml::value root = toml::parse(in, name);
    return Read(root, std::filesystem::absolute(name).parent_path());
  } catch (const Failure& failure) {
    return tl::unexpected(ConfigError{failure.message});
  } catch (const toml::exception& e) {
    // toml11's own text spans several lines (a picture of the line); its first line says what.
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    if (what.starts_with("[error] ")) what = what.substr(8);
    return tl::unexpected(ConfigError{name + ":" + std::to_string(e.location().line()) +
                                      ": TOML syntax error: " + what});
  } catch (const std::exception& e) {
    return tl::unexpected(ConfigError{name + ": " + e.what()});
  }
}

ConfigResult<Config> LoadConfigFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return tl::unexpected(ConfigError{path + ": cannot read the configuration file"});
  return ParseConfig(file, path);
}

}  // namespace kenin::milter
