#include "dns/memo_resolver.h"

namespace kenin::dns {

AnswerFuture MemoResolver::Lookup(const Question& question) {
  std::string name = NormalizeName(question.name);
  std::lock_guard lock(mutex_);
  for (const Asked& asked : asked_) {
    if (asked.type == question.type && asked.name == name) return asked.answer;
  }
  // Started under the lock so two threads asking at once make one upstream lookup. Lookup()
  // only starts the query (the caching resolver hands it to its workers), so this is short.
  AnswerFuture future = upstream_.Lookup(question);
  if (asked_.empty()) asked_.reserve(8);
  asked_.push_back({std::move(name), question.type, future});
  return future;
}

size_t MemoResolver::questions() const {
  std::lock_guard lock(mutex_);
  return asked_.size();
}

}  // namespace kenin::dns
