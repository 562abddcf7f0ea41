// A Resolver for one message: the first Lookup() of a question goes to the shared resolver,
// every later Lookup() of the same question gets the same future. So a name prefetched at
// end-of-headers is never asked twice for that message, whatever the cache does with it
// (a negative answer without an SOA is not cached, a full cache may have evicted it), and
// DKIM, SPF and DMARC share answers. Bounded: a message asks a bounded number of names
// (the SPF and DMARC limits, the signature limit).
// Thread-safe: the SPF evaluation may run on another thread while the message streams.
// `upstream` must outlive the MemoResolver.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "dns/resolver.h"

namespace kenin::dns {

class MemoResolver : public Resolver {
 public:
  explicit MemoResolver(Resolver& upstream) : upstream_(upstream) {}

  AnswerFuture Lookup(const Question& question) override;

  // Distinct questions passed upstream so far.
  size_t questions() const;

 private:
  struct Asked {
    std::string name;  // NormalizeName()
    RecordType type;
    AnswerFuture answer;
  };

  Resolver& upstream_;
  mutable std::mutex mutex_;
  // Searched in order: a message asks a few names (a key per signature, a DMARC walk of two
  // or three, SPF's few), so a scan beats a tree that allocates a node per name. A hostile
  // message reaches a few hundred (the limits above); scanning those costs microseconds.
  std::vector<Asked> asked_;  // guarded by mutex_
};

}  // namespace kenin::dns
