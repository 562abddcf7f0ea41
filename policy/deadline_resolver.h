// The end-of-message time budget for DNS (kenind's [limits] eom_budget_ms): a Resolver in
// front of the message's own whose answers are waited for no later than a deadline. An
// answer not there by then is a timeout error "time budget exhausted", so SPF and DMARC end
// in temperror with that reason instead of waiting out the nameservers.
// Lookup() never blocks: the wait happens when the caller collects (the future's get()), so
// lookups that SPF starts together still overlap. The deadline is a parameter; this file
// reads no clock of its own (std::future::wait_until compares with the steady clock).
// Thread-safe like its upstream; `upstream` must outlive it and every future it hands out.
#pragma once

#include <atomic>
#include <memory>

#include "dns/resolver.h"
#include "verifier/dkim_verifier.h"

namespace kenin::policy {

class DeadlineResolver : public dns::Resolver {
 public:
  DeadlineResolver(dns::Resolver& upstream, verifier::Deadline deadline);

  // An answer already here is handed out as it is; any other waits until the deadline.
  dns::AnswerFuture Lookup(const dns::Question& question) override;

  // True once some wait ran out: a temperror that follows is the budget's doing.
  bool exhausted() const { return exhausted_->load(); }

 private:
  dns::Resolver& upstream_;
  verifier::Deadline deadline_;
  // Shared with the futures handed out, which may be waited on after this object is gone.
  std::shared_ptr<std::atomic<bool>> exhausted_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace kenin::policy
