#include "dns/memo_resolver.h"

namespace kenin::dns {

AnswerFuture MemoResolver::Lookup(const Question& question) {
  std::pair<std::string, RecordType> key{NormalizeName(question.name), question.type};
  std::lock_guard lock(mutex_);
  auto it = asked_.find(key);
  if (it != asked_.end()) return it->second;
  // Started under the lock so two threads asking at once make one upstream lookup. Lookup()
  // only starts the query (the caching resolver hands it to its workers), so this is short.
  AnswerFuture future = upstream_.Lookup(question);
  asked_.emplace(std::move(key), future);
  return future;
}

size_t MemoResolver::questions() const {
  std::lock_guard lock(mutex_);
  return asked_.size();
}

}  // namespace kenin::dns
