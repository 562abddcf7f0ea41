// The one DNS interface the pure core (verifier/, policy/) talks to. Backends: zone files
// (zone_resolver.h) now; the network resolver and the cache in front of any backend later.
// Answers are data: NXDOMAIN and NODATA come back as an Answer with that rcode. Only a
// lookup that could not complete (timeout, unusable reply) is an Error.
// Thread-safety: implementations must allow concurrent Lookup() calls.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <typeinfo>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace kenin::dns {

enum class RecordType : uint16_t { kA = 1, kPtr = 12, kMx = 15, kTxt = 16, kAaaa = 28 };
std::string_view ToString(RecordType type);

// RFC 1035 §4.1.1 response codes that callers distinguish.
enum class Rcode : uint8_t { kNoError = 0, kServFail = 2, kNxDomain = 3, kRefused = 5 };

struct Question {
  std::string name;  // absolute or relative, no trailing dot required; case-insensitive
  RecordType type = RecordType::kTxt;
  bool operator==(const Question&) const = default;
};

// One answer record in presentation-independent form: TXT records keep their
// character-strings separate (RFC 1035 §3.3.14) so the caller decides how to join them.
struct Record {
  std::vector<std::string> strings;  // TXT: each <character-string>; others: one string
  uint32_t ttl = 0;
};

// A value computed once from an answer and kept with it, so a consumer parses an answer
// once per TTL instead of once per message (a DKIM key's EVP_PKEY, SPEC §2). Copies of an
// Answer share their memo. Thread-safe.
class AnswerMemo {
 public:
  // Returns the stored T, computing it with `compute()` on first use.
  template <typename T, typename F>
  std::shared_ptr<const T> GetOrCompute(F&& compute) {
    std::lock_guard lock(mutex_);
    if (value_ && *type_ == typeid(T)) return std::static_pointer_cast<const T>(value_);
    auto value = std::make_shared<const T>(compute());
    value_ = value;
    type_ = &typeid(T);
    return value;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const void> value_;
  const std::type_info* type_ = nullptr;
};

struct Answer {
  Rcode rcode = Rcode::kNoError;
  std::vector<Record> records;  // empty with kNoError means NODATA
  // Positive answers: the smallest record TTL. Negative answers: the negative-caching TTL
  // from the SOA (RFC 2308 §5), 0 when the reply carried no SOA (then it is not cached).
  uint32_t ttl = 0;
  bool authenticated = false;  // the DNSSEC AD bit of the reply
  std::shared_ptr<AnswerMemo> memo = std::make_shared<AnswerMemo>();
};

enum class ErrorCode { kTimeout, kBadReply, kTransport };
struct Error {
  ErrorCode code;
  std::string detail;
};
template <typename T>
using Result = tl::expected<T, Error>;

using AnswerFuture = std::shared_future<Result<Answer>>;

// What the pure core sees: lookups that start now and are collected later.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // Ready when the answer or a transport error is known. May be called from any thread;
  // the caller may start many lookups and wait on them later.
  virtual AnswerFuture Lookup(const Question& question) = 0;
};

// A backend that answers one question at a time, blocking: the zone files, the network.
// CachingResolver puts a cache, coalescing and a worker pool in front of one.
class BlockingResolver {
 public:
  virtual ~BlockingResolver() = default;
  // Must be safe to call from several threads at once.
  virtual Result<Answer> Resolve(const Question& question) = 0;
};

// A future that is already ready: for backends that answer synchronously.
AnswerFuture ReadyAnswer(Result<Answer> result);

// Lower-cases ASCII and strips one trailing dot: the key under which names compare.
std::string NormalizeName(std::string_view name);
// The same, appended to `out` (to build a longer key in one allocation).
void AppendNormalizedName(std::string_view name, std::string& out);

}  // namespace kenin::dns
