// The cache.
//
// LAYOUT. Entries live in N shards chosen by a hash of "type/name"; each shard has its own
// mutex, a tsl::hopscotch_map from key to entry, an LRU list (front = most recently used)
// and the map of queries in flight. Every operation takes exactly one shard lock, so a hit
// never waits on a global lock, and no lock is held while the backend is asked.
//
// EXPIRY. An entry stores an absolute expiry, never a counted-down TTL: fresh while
// now < expires. Positive answers live for their TTL clamped to [min_ttl, max_ttl];
// NXDOMAIN/NODATA for the SOA-derived negative TTL capped at max_negative_ttl (RFC 2308 §5;
// without an SOA they are not cached); SERVFAIL, REFUSED and transport errors for
// servfail_ttl (RFC 2308 §7.1), so a dead upstream is not asked again for every message.
// Expired entries stay until they are replaced or the LRU pushes them out.
//
// SERVE-STALE (RFC 8767). With serve_stale on, when the refresh of an expired positive or
// negative answer fails (error, SERVFAIL, REFUSED) and the entry expired less than max_stale
// ago, the old answer is served with a TTL of stale_answer_ttl and the entry is kept fresh
// for that long (§4: do not retry the failing upstream for every query).
//
// COALESCING. A miss registers a flight (a shared_future) under its key; identical lookups
// that arrive before it lands join it. The worker that runs the query stores the result and
// removes the flight under the same shard lock, so a later lookup sees the entry.
#include "dns/caching_resolver.h"

#include <algorithm>
#include <list>
#include <string>

#include <tsl/hopscotch_map.h>

namespace kenin::dns {
namespace {

std::string CacheKey(const Question& question) {
  std::string key = std::to_string(static_cast<unsigned>(question.type));  // short: no allocation
  key.reserve(key.size() + 1 + question.name.size());
  key += '/';
  AppendNormalizedName(question.name, key);
  return key;
}

bool IsFailure(const Result<Answer>& result) {
  return !result || result->rcode == Rcode::kServFail || result->rcode == Rcode::kRefused;
}

bool IsNegative(const Answer& answer) {
  return answer.rcode == Rcode::kNxDomain || (answer.rcode == Rcode::kNoError && answer.records.empty());
}

}  // namespace

struct CachingResolver::Entry {
  Result<Answer> result;
  AnswerFuture ready;              // `result` as a ready future: a hit copies it, no promise
  Clock::time_point expires;
  Clock::time_point stale_until;   // RFC 8767: serve-stale ends max_stale after the first expiry
  std::list<std::string>::iterator lru;
};

struct CachingResolver::Flight {
  std::shared_ptr<std::promise<Result<Answer>>> promise;
  AnswerFuture future;
};

struct CachingResolver::Shard {
  explicit Shard(size_t cap) : capacity(cap) {}
  std::mutex mutex;
  const size_t capacity;
  tsl::hopscotch_map<std::string, Entry> entries;      // guarded by mutex
  std::list<std::string> lru;                          // guarded by mutex
  tsl::hopscotch_map<std::string, Flight> in_flight;   // guarded by mutex
};

CachingResolver::CachingResolver(BlockingResolver& backend, const CacheOptions& options, ClockFn clock)
    : backend_(backend), options_(options), clock_(std::move(clock)) {
  const size_t shards = std::max<size_t>(1, options_.shards);
  const size_t per_shard = options_.capacity == 0 ? 0 : std::max<size_t>(1, options_.capacity / shards);
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(per_shard));
  if (options_.worker_threads > 0) {
    pool_ = std::make_unique<WorkerPool>(options_.worker_threads, options_.max_queued);
  }
}

CachingResolver::~CachingResolver() { pool_.reset(); }

CachingResolver::Shard& CachingResolver::ShardFor(const std::string& key) {
  // The map inside a shard uses the low bits of the same hash; pick shards with the high
  // bits so each shard's keys still spread over its buckets.
  const size_t hash = std::hash<std::string>{}(key);
  return *shards_[(hash >> 40) % shards_.size()];
}

AnswerFuture CachingResolver::Lookup(const Question& question) {
  std::string key = CacheKey(question);
  Shard& shard = ShardFor(key);
  AnswerFuture future;
  {
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.entries.find(key); it != shard.entries.end() && clock_() < it->second.expires) {
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
      stats_.AddHit();
      return it->second.ready;
    }
    stats_.AddMiss();
    if (auto flight = shard.in_flight.find(key); flight != shard.in_flight.end()) {
      stats_.AddCoalesced();
      return flight->second.future;
    }
    Flight flight;
    flight.promise = std::make_shared<std::promise<Result<Answer>>>();
    flight.future = flight.promise->get_future().share();
    future = flight.future;
    shard.in_flight.emplace(key, std::move(flight));
  }
  if (!pool_) {
    Fetch(question, key);
  } else if (!pool_->TrySubmit([this, question, key] { Fetch(question, key); })) {
    // Designed answer to overload: fail this lookup now (the verdict becomes temperror)
    // rather than queue without bound.
    stats_.AddRejected();
    Land(shard, key,
         tl::unexpected(Error{ErrorCode::kTransport,
                              "DNS lookup queue full (threads: " + std::to_string(options_.worker_threads) +
                                  " busy, queue: " + std::to_string(options_.max_queued) + " waiting)"}),
         /*store=*/false);
  }
  return future;
}

void CachingResolver::Fetch(const Question& question, const std::string& key) {
  const auto started = Clock::now();  // latency is real time, whatever clock_ says
  Result<Answer> result = backend_.Resolve(question);
  stats_.RecordQuery(question.type, OutcomeOf(result), Clock::now() - started);
  Land(ShardFor(key), key, std::move(result), /*store=*/true);
}

void CachingResolver::Land(Shard& shard, const std::string& key, Result<Answer> result, bool store) {
  std::shared_ptr<std::promise<Result<Answer>>> promise;
  {
    std::lock_guard lock(shard.mutex);
    const Clock::time_point now = clock_();
    auto existing = shard.entries.find(key);
    if (store && IsFailure(result) && options_.serve_stale && existing != shard.entries.end() &&
        !IsFailure(existing->second.result) &&
        now < existing->second.stale_until) {
      // RFC 8767 §4: the refresh failed; serve what we had, briefly. stale_until is not
      // moved, so stale answers stop max_stale after the answer first expired.
      Entry& entry = existing.value();
      entry.expires = now + options_.stale_answer_ttl;
      entry.result->ttl = static_cast<uint32_t>(options_.stale_answer_ttl.count());
      entry.ready = ReadyAnswer(entry.result);
      result = entry.result;
      stats_.AddStaleServed();
    } else if (store) {
      Store(shard, key, result, now);
    }
    auto flight = shard.in_flight.find(key);
    if (flight != shard.in_flight.end()) {
      promise = flight->second.promise;
      shard.in_flight.erase(flight);
    }
  }
  if (promise) promise->set_value(std::move(result));
}

std::optional<Clock::duration> CachingResolver::TtlFor(const Result<Answer>& result) const {
  if (IsFailure(result)) return options_.servfail_ttl;
  const std::chrono::seconds ttl(result->ttl);
  if (IsNegative(*result)) {
    if (result->ttl == 0) return std::nullopt;  // RFC 2308 §5: no SOA, no negative caching
    return std::min<std::chrono::seconds>(ttl, options_.max_negative_ttl);
  }
  return std::clamp<std::chrono::seconds>(ttl, options_.min_ttl, options_.max_ttl);
}

void CachingResolver::Store(Shard& shard, const std::string& key, const Result<Answer>& result,
                            Clock::time_point now) {
  if (shard.capacity == 0) return;
  std::optional<Clock::duration> ttl = TtlFor(result);
  auto it = shard.entries.find(key);
  if (!ttl) {
    // Not cacheable: drop what we had, it is no longer the answer.
    if (it != shard.entries.end()) {
      shard.lru.erase(it->second.lru);
      shard.entries.erase(it);
      stats_.AddEntries(-1);
    }
    return;
  }
  if (it != shard.entries.end()) {
    Entry& entry = it.value();
    entry.result = result;
    entry.ready = ReadyAnswer(result);
    entry.expires = now + *ttl;
    entry.stale_until = entry.expires + options_.max_stale;
    shard.lru.splice(shard.lru.begin(), shard.lru, entry.lru);
    return;
  }
  if (shard.entries.size() >= shard.capacity) {
    // LRU: the least recently used entry makes room, expired or not.
    shard.entries.erase(shard.lru.back());
    shard.lru.pop_back();
    stats_.AddEviction();
    stats_.AddEntries(-1);
  }
  shard.lru.push_front(key);
  const Clock::time_point expires = now + *ttl;
  shard.entries.emplace(key, Entry{result, ReadyAnswer(result), expires, expires + options_.max_stale,
                                   shard.lru.begin()});
  stats_.AddEntries(1);
}

}  // namespace kenin::dns
