// Builds the DNS stack the `kenin` subcommands share: a backend (zone files, or the network
// from --resolver or /etc/resolv.conf) behind one CachingResolver, so many messages in one
// call share one cache (SPEC §6). `kenind` builds its one process-wide stack the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "dns/caching_resolver.h"
#include "dns/ldns_resolver.h"
#include "dns/resolver.h"

namespace kenin::tools {

struct ResolverFlags {
  std::vector<std::string> zone_files;  // --zone: answer from master files
  std::vector<std::string> servers;     // --resolver IP[:PORT]; none: /etc/resolv.conf
  int timeout_ms = 2000;                // per attempt
  int attempts = 3;
  // --dns-max-answer-bytes: larger answers are errors, as with kenind's [dns] max_answer_bytes
  size_t max_answer_bytes = dns::kDefaultMaxAnswerBytes;
  dns::CacheOptions cache;  // worker_threads is ignored with zone files (answers are in memory)
};

class ResolverStack {
 public:
  // Error text names the flag or file at fault.
  static dns::Result<std::unique_ptr<ResolverStack>> Create(const ResolverFlags& flags);
  dns::Resolver& resolver() { return *cache_; }
  dns::CacheStats stats() const { return cache_->Stats(); }

 private:
  std::unique_ptr<dns::BlockingResolver> backend_;
  std::unique_ptr<dns::CachingResolver> cache_;
};

}  // namespace kenin::tools
