#include "milter/message.h"

#include <numeric>

#include "milter/wire_text.h"
#include "policy/auth_results.h"
#include "policy/auth_results_parser.h"
#include "verifier/canonicalize.h"

namespace kenin::milter {
namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<int> OneTo(int count) {
  std::vector<int> indexes(static_cast<size_t>(count));
  std::iota(indexes.begin(), indexes.end(), 1);
  return indexes;
}

}  // namespace

Message::Message(std::shared_ptr<const Runtime> runtime, policy::Envelope envelope,
                 bool leading_space, bool skip, dns::WorkerPool* background)
    : runtime_(std::move(runtime)),
      envelope_(std::move(envelope)),
      leading_space_(leading_space),
      skip_(skip),
      background_(background) {}

Message::~Message() = default;

void Message::StartSession() {
  policy::BackgroundRunner runner;
  if (background_ != nullptr) {
    // The task holds the Runtime: its resolver must live until the evaluation ends, even
    // when the message is aborted and a reload has replaced the Runtime meanwhile.
    runner = [pool = background_, runtime = runtime_](std::function<void()> task) {
      return pool->TrySubmit([runtime, task = std::move(task)] { task(); });
    };
  }
  session_ = std::make_unique<policy::MessageSession>(runtime_->session, runtime_->dns->resolver(),
                                                      envelope_, std::move(runner));
}

void Message::OnHeader(std::string_view name, std::string_view value) {
  if (skip_) return;
  if (!session_) StartSession();
  std::string wire = WireHeaderValue(value, leading_space_);
  if (verifier::FieldNameEquals(name, kAuthResultsName)) {
    ++auth_results_seen_;
    // RFC 8601 §5: a field claiming our authserv-id did not come from us.
    std::optional<std::string> id = policy::ParseAuthservId(wire);
    if (id && verifier::EqualsIgnoreCase(*id, runtime_->authserv_id())) {
      forged_auth_results_.push_back(auth_results_seen_);
    }
  }
  const ScoreConfig& score = runtime_->config->score;
  if (score.enabled && verifier::FieldNameEquals(name, score.header)) ++score_fields_seen_;
  session_->OnHeader(name, wire);
}

void Message::OnEndOfHeaders() {
  if (skip_ || end_of_headers_) return;
  if (!session_) StartSession();  // a message with no header fields at all
  end_of_headers_ = true;
  session_->OnEndOfHeaders(UnixNow());  // every DKIM key, SPF and DMARC lookup starts here
}

void Message::OnBodyChunk(std::string_view chunk) {
  if (skip_) return;
  if (!end_of_headers_) OnEndOfHeaders();
  session_->OnBodyChunk(chunk);
}

HeaderPlan Message::PlanFor(const std::vector<std::string>& resinfo,
                            const std::optional<double>& score) const {
  HeaderPlan plan;
  PlanDeletions(kAuthResultsName, forged_auth_results_, plan);
  const ScoreConfig& score_config = runtime_->config->score;
  if (score_config.enabled) {
    PlanDeletions(score_config.header, OneTo(score_fields_seen_), plan);
    if (score) {
      plan.insertions.emplace_back(score_config.header,
                                   OutgoingHeaderValue(FormatScore(*score), leading_space_));
    }
  }
  // Inserted last, so it ends on top, above the score (RFC 8601 §5: prepended).
  std::string value = policy::FoldAuthResults(runtime_->authserv_id(), resinfo, "\n\t");
  plan.insertions.emplace_back(kAuthResultsName, OutgoingHeaderValue(value, leading_space_));
  return plan;
}

Outcome Message::Enforce(const policy::SessionReport& report, Mta& mta) const {
  Outcome outcome;
  std::string domain = report.dmarc ? ReplyText(report.dmarc->from_domain, 100) : "";
  switch (report.action) {
    case policy::Action::kReject:
      // RFC 7372 §3.2 / RFC 9989 §5.8: 550 5.7.1 for a DMARC policy rejection.
      mta.SetReply("550", "5.7.1", "Rejected by the DMARC policy of " + domain);
      outcome.decision = Decision::kReject;
      outcome.action = "reject";
      return outcome;
    case policy::Action::kQuarantine:
      Apply(PlanFor(report.resinfo, report.score), mta);
      mta.Quarantine("DMARC policy of " + domain + ": quarantine");
      outcome.action = "quarantine";
      return outcome;
    case policy::Action::kAccept:
      break;
  }
  Apply(PlanFor(report.resinfo, report.score), mta);
  outcome.action = "accept";
  return outcome;
}

Outcome Message::Finish(Mta& mta) {
  if (failure_) return FinishAfterError(mta, *failure_);
  if (skip_) return Outcome{Decision::kAccept, "skip", std::nullopt, ""};
  if (!end_of_headers_) OnEndOfHeaders();
  // The budget starts now, when the MTA starts waiting for our answer ([limits] eom_budget_ms).
  const auto budget = std::chrono::milliseconds(runtime_->config->limits.eom_budget_ms);
  policy::SessionReport report =
      session_->OnEndOfMessage(std::chrono::steady_clock::now() + budget);
  Outcome outcome = Enforce(report, mta);
  outcome.report = std::move(report);
  return outcome;
}

Outcome Message::FinishAfterError(Mta& mta, const std::string& error) {
  Outcome outcome;
  outcome.error = error;
  if (runtime_->config->failure_action == FailureAction::kTempFail) {
    mta.SetReply("451", "4.3.0", "Temporary authentication failure, try again later");
    outcome.decision = Decision::kTempFail;
    outcome.action = "tempfail";
    return outcome;
  }
  // Accept, and say that nothing could be checked (RFC 8601 §2.7: temperror).
  const std::string reason = "reason=\"internal error\"";
  std::vector<std::string> resinfo = {"dkim=temperror " + reason};
  if (!envelope_.client_ip.empty()) resinfo.push_back("spf=temperror " + reason);
  resinfo.push_back("dmarc=temperror " + reason);
  Apply(PlanFor(resinfo, std::nullopt), mta);
  outcome.action = "accept";
  return outcome;
}

void Message::MarkFailed(const std::string& error) {
  if (!failure_) failure_ = error;
}

}  // namespace kenin::milter
