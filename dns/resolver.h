// The one DNS interface the pure core (verifier/, policy/) talks to. Backends: zone files
// (zone_resolver.h) now; the network resolver and the cache in front of any backend later.
// Answers are data: NXDOMAIN and NODATA come back as an Answer with that rcode. Only a
// lookup that could not complete (timeout, unusable reply) is an Error.
// Thread-safety: implementations must allow concurrent Lookup() calls.
#pragma once

#include <cstdint>
#include <future>
#include <string>
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

struct Answer {
  Rcode rcode = Rcode::kNoError;
  std::vector<Record> records;  // empty with kNoError means NODATA
  uint32_t ttl = 0;             // for negative answers: the negative-caching TTL
  bool authenticated = false;   // the DNSSEC AD bit of the reply
};

enum class ErrorCode { kTimeout, kBadReply, kTransport };
struct Error {
  ErrorCode code;
  std::string detail;
};
template <typename T>
using Result = tl::expected<T, Error>;

using AnswerFuture = std::shared_future<Result<Answer>>;

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Ready when the answer or a transport error is known. May be called from any thread;
  // the caller may start many lookups and wait on them later.
  virtual AnswerFuture Lookup(const Question& question) = 0;
};

// A future that is already ready: for backends that answer synchronously.
AnswerFuture ReadyAnswer(Result<Answer> result);

// Lower-cases ASCII and strips one trailing dot: the key under which names compare.
std::string NormalizeName(std::string_view name);

}  // namespace kenin::dns
