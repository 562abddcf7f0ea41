// One mail transaction in kenind, MAIL FROM to end-of-message (or abort): feeds a
// MessageSession as the MTA streams the message (DNS lookups start at end-of-headers, the
// body is hashed chunk by chunk), then decides and makes the header edits (header_plan.h).
// It holds the Runtime it started under, so a reload does not change it halfway.
// Used by one thread at a time: libmilter runs a connection's callbacks one after another.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/worker_pool.h"
#include "milter/header_plan.h"
#include "milter/mta.h"
#include "milter/runtime.h"
#include "policy/message_session.h"

namespace kenin::milter {

struct Outcome {
  Decision decision = Decision::kAccept;
  std::string action;                           // accept | reject | quarantine | tempfail | skip
  std::optional<policy::SessionReport> report;  // absent when skipped or after an error
  std::string error;                            // the internal error, when there was one
};

class Message {
 public:
  // `skip`: the client is in internal_networks; nothing is verified or added.
  // `leading_space`: SMFIP_HDR_LEADSPC was negotiated (values carry the space after ':').
  // `background`: where the SPF evaluation may run early (null: at end-of-message).
  Message(std::shared_ptr<const Runtime> runtime, policy::Envelope envelope, bool leading_space,
          bool skip, dns::WorkerPool* background = nullptr);
  ~Message();

  void OnHeader(std::string_view name, std::string_view value);
  void OnEndOfHeaders();
  void OnBodyChunk(std::string_view chunk);

  // Collects the verdicts (waiting for DNS answers), edits the header through `mta` and
  // says what to answer: accept, or reject / quarantine under DMARC enforcement.
  Outcome Finish(Mta& mta);
  // After an internal error (SPEC §5): the configured failure action. accept: forged fields
  // still go and our header says temperror; tempfail: the MTA is asked to try again later.
  Outcome FinishAfterError(Mta& mta, const std::string& error);

  // Records the first internal error; Finish() then takes the failure path.
  void MarkFailed(const std::string& error);
  bool failed() const { return failure_.has_value(); }

  const policy::Envelope& envelope() const { return envelope_; }
  const Runtime& runtime() const { return *runtime_; }
  std::chrono::steady_clock::time_point started() const { return started_; }

 private:
  void StartSession();
  HeaderPlan PlanFor(const std::vector<std::string>& resinfo,
                     const std::optional<double>& score) const;
  Outcome Enforce(const policy::SessionReport& report, Mta& mta) const;

  std::shared_ptr<const Runtime> runtime_;
  policy::Envelope envelope_;
  bool leading_space_;
  bool skip_;
  dns::WorkerPool* background_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::unique_ptr<policy::MessageSession> session_;  // from the first header on
  bool end_of_headers_ = false;
  int auth_results_seen_ = 0;
  std::vector<int> forged_auth_results_;  // 1-based indexes of A-R fields with our authserv-id
  int score_fields_seen_ = 0;
  std::optional<std::string> failure_;
};

}  // namespace kenin::milter
