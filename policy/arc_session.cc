#include "policy/arc_session.h"

#include <chrono>
#include <future>

#include "verifier/canonicalize.h"

namespace kenin::policy {
namespace {

bool IsArcField(std::string_view name) {
  return verifier::FieldNameEquals(name, "ARC-Seal") ||
         verifier::FieldNameEquals(name, "ARC-Message-Signature") ||
         verifier::FieldNameEquals(name, "ARC-Authentication-Results");
}

}  // namespace

// A resolver whose deadline is set after its lookups were made: Lookup() hands out a deferred
// future that waits for the upstream answer no later than the deadline set by then (none
// set: as long as it takes). Deferred futures run in the thread that collects them, the one
// that set the deadline, so the shared deadline needs no lock.
class ArcSession::LateDeadlineResolver : public dns::Resolver {
 public:
  explicit LateDeadlineResolver(dns::Resolver& upstream) : upstream_(upstream) {}

  dns::AnswerFuture Lookup(const dns::Question& question) override {
    dns::AnswerFuture answer = upstream_.Lookup(question);
    if (answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return answer;
    return std::async(std::launch::deferred,
                      [answer, deadline = deadline_]() -> dns::Result<dns::Answer> {
                        if (*deadline &&
                            answer.wait_until(**deadline) == std::future_status::timeout) {
                          return tl::unexpected(
                              dns::Error{dns::ErrorCode::kTimeout,
                                         std::string(verifier::kTimeBudgetExhausted)});
                        }
                        return answer.get();
                      })
        .share();
  }

  void SetDeadline(const std::optional<verifier::Deadline>& deadline) { *deadline_ = deadline; }

 private:
  dns::Resolver& upstream_;
  std::shared_ptr<std::optional<verifier::Deadline>> deadline_ =
      std::make_shared<std::optional<verifier::Deadline>>();
};

ArcSession::ArcSession(const ArcSettings& settings, size_t max_header_bytes,
                       dns::Resolver& resolver)
    : max_header_bytes_(max_header_bytes),
      resolver_(std::make_unique<LateDeadlineResolver>(resolver)),
      verifier_(std::make_unique<arc::ArcVerifier>(settings.verifier, *resolver_)) {}

ArcSession::~ArcSession() = default;

void ArcSession::OnHeader(std::string_view name, std::string_view value) {
  if (IsArcField(name)) arc_field_seen_ = true;
  if (header_dropped_) return;
  header_bytes_ += name.size() + value.size();
  if (header_bytes_ > max_header_bytes_) {
    // The copy goes; the verdict is decided at end-of-message without it.
    header_dropped_ = true;
    verifier_.reset();
    return;
  }
  verifier_->OnHeader(name, value);
}

void ArcSession::OnEndOfHeaders(int64_t now) {
  end_of_headers_ = true;
  if (verifier_) verifier_->OnEndOfHeaders(now);
}

void ArcSession::OnBodyChunk(std::string_view chunk) {
  if (verifier_) verifier_->OnBodyChunk(chunk);
}

arc::ArcVerdict ArcSession::OnEndOfMessage(const std::optional<verifier::Deadline>& deadline) {
  if (header_dropped_) {
    arc::ArcVerdict verdict;
    // Without ARC fields there is no chain to judge, however large the header (§5.2 step 1).
    if (!arc_field_seen_) {
      verdict.reason = "no ARC header fields";
      return verdict;
    }
    verdict.result = arc::ArcResult::kFail;
    verdict.reason = "header block over " + std::to_string(max_header_bytes_) + " bytes";
    return verdict;
  }
  if (!end_of_headers_) OnEndOfHeaders(0);  // a message without a header: no ARC field
  resolver_->SetDeadline(deadline);
  return verifier_->OnEndOfMessage();
}

}  // namespace kenin::policy
