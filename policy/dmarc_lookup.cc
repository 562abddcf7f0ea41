#include "policy/dmarc_lookup.h"

namespace kenin::policy {
namespace {

std::string ErrorText(const dns::Error& error) {
  std::string text;
  switch (error.code) {
    case dns::ErrorCode::kTimeout:
      text = "timeout";
      break;
    case dns::ErrorCode::kBadReply:
      text = "bad reply";
      break;
    case dns::ErrorCode::kTransport:
      text = "transport error";
      break;
  }
  return error.detail.empty() ? text : text + ": " + error.detail;
}

std::string JoinStrings(const dns::Record& record) {
  std::string text;
  for (const std::string& piece : record.strings) text += piece;
  return text;
}

}  // namespace

DmarcAtName ClassifyDmarcAnswer(const dns::Result<dns::Answer>& answer) {
  DmarcAtName at;
  if (!answer) {
    at.kind = DmarcAtName::Kind::kDnsError;
    at.detail = ErrorText(answer.error());
    return at;
  }
  switch (answer->rcode) {
    case dns::Rcode::kServFail:
    case dns::Rcode::kRefused:
      at.kind = DmarcAtName::Kind::kDnsError;
      at.detail = answer->rcode == dns::Rcode::kServFail ? "SERVFAIL" : "REFUSED";
      return at;
    case dns::Rcode::kNxDomain:
      return at;
    case dns::Rcode::kNoError:
      break;
  }
  at.name_exists = true;
  int dmarc_records = 0;
  for (const dns::Record& record : answer->records) {
    std::string text = JoinStrings(record);
    if (!StartsWithDmarcVersion(text)) continue;  // §4.10 step 2: not a DMARC record
    if (++dmarc_records > 1) continue;
    auto parsed = ParseDmarcRecord(text);
    if (parsed) {
      at.record = std::move(*parsed);
    } else {
      at.detail = parsed.error().detail;
    }
  }
  if (dmarc_records == 1) at.kind = DmarcAtName::Kind::kOne;
  if (dmarc_records > 1) {
    at.kind = DmarcAtName::Kind::kMultiple;
    at.record.reset();
    at.detail = std::to_string(dmarc_records) + " DMARC records";
  }
  return at;
}

dns::AnswerFuture DmarcLookups::Ask(const std::string& name, dns::RecordType type) {
  asked_.push_back(name);
  return resolver_.Lookup(dns::Question{name, type});
}

const DmarcAtName& DmarcLookups::At(const std::string& domain) {
  auto it = at_.find(domain);
  if (it != at_.end()) return *it->second;
  const dns::AnswerFuture future = Ask("_dmarc." + domain, dns::RecordType::kTxt);
  const dns::Result<dns::Answer>& answer = future.get();
  std::shared_ptr<const DmarcAtName> at =
      answer ? answer->memo->GetOrCompute<DmarcAtName>([&] { return ClassifyDmarcAnswer(answer); })
             : std::make_shared<const DmarcAtName>(ClassifyDmarcAnswer(answer));
  return *at_.emplace(domain, std::move(at)).first->second;
}

Existence DmarcLookups::Exists(const std::string& domain) {
  auto it = at_.find(domain);
  // RFC 8020 §2: a name with something below it (here _dmarc.<domain>) exists.
  if (it != at_.end() && it->second->name_exists) return Existence::kExists;
  const dns::AnswerFuture future = Ask(domain, dns::RecordType::kA);
  const dns::Result<dns::Answer>& answer = future.get();
  if (!answer) return Existence::kUnknown;
  switch (answer->rcode) {
    case dns::Rcode::kNxDomain:
      return Existence::kNonExistent;
    case dns::Rcode::kNoError:
      return Existence::kExists;  // data or NODATA: the name exists
    case dns::Rcode::kServFail:
    case dns::Rcode::kRefused:
      return Existence::kUnknown;
  }
  return Existence::kUnknown;
}

}  // namespace kenin::policy
