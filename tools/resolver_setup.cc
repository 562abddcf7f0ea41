#include "tools/resolver_setup.h"

#include "dns/ldns_resolver.h"
#include "dns/zone_resolver.h"

namespace kenin::tools {

dns::Result<std::unique_ptr<ResolverStack>> ResolverStack::Create(const ResolverFlags& flags) {
  auto stack = std::make_unique<ResolverStack>();
  dns::CacheOptions cache = flags.cache;
  if (!flags.zone_files.empty()) {
    if (!flags.servers.empty()) {
      return tl::unexpected(dns::Error{dns::ErrorCode::kTransport, "--zone and --resolver exclude each other"});
    }
    auto zone = dns::ZoneResolver::FromFiles(flags.zone_files);
    if (!zone) return tl::unexpected(zone.error());
    stack->backend_ = std::make_unique<dns::ZoneResolver>(std::move(*zone));
    cache.worker_threads = 0;  // answers are in memory: no thread needed
  } else {
    dns::LdnsOptions options;
    options.timeout = std::chrono::milliseconds(flags.timeout_ms);
    options.attempts = flags.attempts;
    options.max_answer_bytes = flags.max_answer_bytes;
    for (const std::string& text : flags.servers) {
      auto server = dns::ParseNameServer(text);
      if (!server) return tl::unexpected(server.error());
      options.servers.push_back(*server);
    }
    if (options.servers.empty()) {
      auto system = dns::NameServersFromResolvConf();
      if (!system) return tl::unexpected(system.error());
      options.servers = *system;
    }
    stack->backend_ = std::make_unique<dns::LdnsResolver>(std::move(options));
  }
  stack->cache_ = std::make_unique<dns::CachingResolver>(*stack->backend_, cache);
  return stack;
}

}  // namespace kenin::tools
