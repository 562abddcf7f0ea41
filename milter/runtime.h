// What a message needs from one loaded configuration: the session options, the internal
// networks, the DNS stack. Built at start and on every SIGHUP; each message keeps the
// Runtime it started under (shared_ptr), so a reload never changes a message in flight.
// A Runtime is immutable once built; RuntimeHolder swaps them under a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <tl/expected.hpp>

#include "milter/config.h"
#include "milter/networks.h"
#include "policy/message_session.h"
#include "policy/public_suffix.h"
#include "tools/resolver_setup.h"

namespace kenin::milter {

struct Runtime {
  std::shared_ptr<const Config> config;
  policy::SessionOptions session;  // authserv_id resolved (host name when not configured)
  NetworkList internal;
  // One DNS stack and cache for the whole process: a reload that leaves [dns] and [cache]
  // as they were hands the same stack to the next Runtime.
  std::shared_ptr<tools::ResolverStack> dns;
  std::shared_ptr<const policy::PublicSuffixList> psl;  // rfc7489 mode only

  const std::string& authserv_id() const { return session.authserv_id; }
};

// Builds the Runtime for `config`, reusing `previous`'s DNS stack when its settings are
// unchanged. Error text names the key or file at fault.
tl::expected<std::shared_ptr<const Runtime>, std::string> BuildRuntime(
    std::shared_ptr<const Config> config, const Runtime* previous);

// The current Runtime. Thread-safe: any thread may read while the signal loop replaces it.
class RuntimeHolder {
 public:
  std::shared_ptr<const Runtime> Current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void Replace(std::shared_ptr<const Runtime> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Runtime> current_;  // guarded by mutex_
};

}  // namespace kenin::milter
