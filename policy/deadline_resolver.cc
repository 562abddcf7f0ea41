#include "policy/deadline_resolver.h"

#include <future>
#include <string>

namespace kenin::policy {

DeadlineResolver::DeadlineResolver(dns::Resolver& upstream, verifier::Deadline deadline)
    : upstream_(upstream), deadline_(deadline) {}

dns::AnswerFuture DeadlineResolver::Lookup(const dns::Question& question) {
  dns::AnswerFuture answer = upstream_.Lookup(question);
  if (answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return answer;
  // Deferred: runs in the thread that collects the answer, when it does.
  return std::async(std::launch::deferred,
                    [answer, deadline = deadline_,
                     exhausted = exhausted_]() -> dns::Result<dns::Answer> {
                      // An upstream deferred future (a test's) reports `deferred`: get() runs it.
                      if (answer.wait_until(deadline) == std::future_status::timeout) {
                        exhausted->store(true);
                        return tl::unexpected(dns::Error{
                            dns::ErrorCode::kTimeout, std::string(verifier::kTimeBudgetExhausted)});
                      }
                      return answer.get();
                    })
      .share();
}

}  // namespace kenin::policy
