#include "milter/log.h"

#include <syslog.h>

#include <iostream>

#include "milter/header_plan.h"
#include "milter/wire_text.h"

namespace kenin::milter {
namespace {

int SyslogPriority(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return LOG_INFO;
    case Severity::kWarning:
      return LOG_WARNING;
    case Severity::kError:
      return LOG_ERR;
  }
  return LOG_INFO;
}

// Domains and reasons come from the message and DNS: printable ASCII only, no spaces, so a
// log line splits on spaces.
std::string Field(std::string_view text) {
  std::string out = ReplyText(text, 100);
  for (char& c : out) {
    if (c == ' ') c = '_';
  }
  return out.empty() ? "-" : out;
}

std::string DkimField(const std::vector<verifier::DkimVerdict>& dkim) {
  if (dkim.empty()) return "none";
  std::string out;
  for (const verifier::DkimVerdict& verdict : dkim) {
    if (!out.empty()) out += ',';
    out += std::string(verifier::ToToken(verdict.result)) + ":" + Field(verdict.ids.domain);
  }
  return out;
}

std::string ResultFields(const policy::SessionReport& report) {
  std::string out = " dkim=" + DkimField(report.dkim);
  if (report.spf) out += " spf=" + std::string(policy::ToToken(report.spf->result));
  if (report.dmarc) {
    out += " dmarc=" + std::string(policy::ToToken(report.dmarc->result)) + ":" +
           Field(report.dmarc->from_domain);
  }
  // ARC only when the message carried a chain: "none" on every line would be noise.
  if (report.arc && report.arc->result != arc::ArcResult::kNone) {
    out += " arc=" + std::string(arc::ToToken(report.arc->result));
    if (!report.arc->sealer().empty()) out += ":" + Field(report.arc->sealer());
  }
  if (!report.dmarc_arc_override.empty()) out += " arc_override=" + Field(report.dmarc_arc_override);
  out += " score=" + FormatScore(report.score);
  return out;
}

}  // namespace

void Logger::SetTarget(LogTarget target) {
  if (target == LogTarget::kSyslog) {
    std::call_once(syslog_opened_, [] { openlog("kenind", LOG_PID | LOG_NDELAY, LOG_MAIL); });
  }
  target_.store(target);
}

void Logger::Log(Severity severity, std::string_view line) {
  if (target_.load() == LogTarget::kSyslog) {
    syslog(SyslogPriority(severity), "%.*s", static_cast<int>(line.size()), line.data());
    return;
  }
  std::string text = "kenind: ";
  if (severity == Severity::kWarning) text += "warning: ";
  if (severity == Severity::kError) text += "error: ";
  text.append(line);
  text += '\n';
  std::lock_guard lock(stderr_mutex_);
  std::cerr << text << std::flush;
}

std::string FormatMessageLine(const MessageLog& log) {
  std::string line = "queue=" + Field(log.queue_id) + " client=" + Field(log.client_ip);
  const Outcome& outcome = *log.outcome;
  if (outcome.report) line += ResultFields(*outcome.report);
  line += " action=" + outcome.action;
  if (!outcome.error.empty()) line += " error=" + Field(outcome.error);
  line += " eom_ms=" + std::to_string(log.eom_ms) + " total_ms=" + std::to_string(log.total_ms);
  return line;
}

}  // namespace kenin::milter
