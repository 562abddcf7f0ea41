#include "milter/runtime.h"

#include <chrono>

#include "policy/auth_results.h"

namespace kenin::milter {
namespace {

tools::ResolverFlags DnsFlags(const Config& config) {
  tools::ResolverFlags flags;
  // Each lookup holds one of these threads until its answer, for up to timeout_ms x attempts
  // when the nameservers do not answer (why the default is 32: milter/config.h).
  flags.cache.worker_threads = static_cast<size_t>(config.dns.max_concurrent_lookups);
  flags.cache.max_queued = static_cast<size_t>(config.dns.max_queued_lookups);
  flags.max_answer_bytes = static_cast<size_t>(config.dns.max_answer_bytes);
  flags.zone_files = config.dns.zone;
  flags.servers = config.dns.resolver;
  flags.timeout_ms = config.dns.timeout_ms;
  flags.attempts = config.dns.attempts;
  const CacheConfig& cache = config.cache;
  flags.cache.capacity = static_cast<size_t>(cache.capacity);
  flags.cache.min_ttl = std::chrono::seconds(cache.min_ttl);
  flags.cache.max_ttl = std::chrono::seconds(cache.max_ttl);
  flags.cache.max_negative_ttl = std::chrono::seconds(cache.max_negative_ttl);
  flags.cache.servfail_ttl = std::chrono::seconds(cache.servfail_ttl);
  flags.cache.serve_stale = cache.serve_stale;
  flags.cache.max_stale = std::chrono::seconds(cache.max_stale);
  return flags;
}

policy::SessionOptions SessionFor(const Config& config, const policy::PublicSuffixList* psl) {
  policy::SessionOptions session;
  session.authserv_id = config.authserv_id.empty() ? policy::DefaultAuthservId() : config.authserv_id;
  session.dkim.max_signatures = static_cast<size_t>(config.dkim.max_signatures);
  session.dkim.clock_skew_seconds = config.dkim.clock_skew_seconds;
  session.dkim.signature.max_signed_headers = static_cast<size_t>(config.dkim.max_signed_headers);
  session.dkim.key.min_rsa_bits = static_cast<unsigned>(config.dkim.min_rsa_bits);
  session.dkim.max_header_bytes = static_cast<size_t>(config.limits.max_header_bytes);
  session.dkim_policy.unsigned_body = config.dkim.unsigned_body;
  session.dkim_policy.trust_ad = config.dns.trust_ad;
  session.dmarc.mode = config.dmarc.mode;
  session.dmarc.public_suffixes = psl;
  session.score.header_name = config.score.header;
  session.score.weights = config.score.weights;
  session.enforcement = config.dmarc.enforcement;
  // ARC signatures are DKIM signatures (RFC 8617 §4.1.2): the same sha1, key-size and
  // clock-skew rules apply to them as to DKIM's.
  session.arc.enabled = config.arc.enabled;
  session.arc.trusted_sealers = config.arc.trusted_sealers;
  session.arc.verifier.signature = session.dkim.signature;
  session.arc.verifier.key = session.dkim.key;
  session.arc.verifier.clock_skew_seconds = config.dkim.clock_skew_seconds;
  session.arc.verifier.max_older_signatures = config.arc.max_older_signatures;
  session.prefetch_identifier_walks = true;  // a long-lived process: answers fill the cache
  return session;
}

}  // namespace

tl::expected<std::shared_ptr<const Runtime>, std::string> BuildRuntime(
    std::shared_ptr<const Config> config, const Runtime* previous) {
  auto runtime = std::make_shared<Runtime>();
  runtime->config = config;
  if (config->dmarc.mode == policy::DmarcMode::kRfc7489) {
    std::unique_ptr<policy::PublicSuffixList> psl =
        config->dmarc.psl.empty() ? policy::PublicSuffixList::System()
                                  : policy::PublicSuffixList::Load(config->dmarc.psl);
    if (!psl) return tl::unexpected(std::string("dmarc.psl: cannot load the Public Suffix List"));
    runtime->psl = std::move(psl);
  }
  runtime->session = SessionFor(*config, runtime->psl.get());
  runtime->internal = NetworkList(config->internal_networks);
  if (previous && previous->config->dns == config->dns &&
      previous->config->cache == config->cache) {
    runtime->dns = previous->dns;
  } else {
    auto stack = tools::ResolverStack::Create(DnsFlags(*config));
    if (!stack) return tl::unexpected("dns: " + stack.error().detail);
    runtime->dns = std::move(*stack);
  }
  return std::shared_ptr<const Runtime>(std::move(runtime));
}

}  // namespace kenin::milter
