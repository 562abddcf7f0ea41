#include "policy/spf_dns.h"

#include <algorithm>

namespace kenin::policy {
namespace {

std::string_view RcodeName(dns::Rcode rcode) {
  switch (rcode) {
    case dns::Rcode::kServFail:
      return "SERVFAIL";
    case dns::Rcode::kRefused:
      return "REFUSED";
    default:
      return "DNS error";
  }
}

}  // namespace

dns::AnswerFuture& SpfDns::Future(std::string_view name, dns::RecordType type) {
  auto key = std::make_pair(type, dns::NormalizeName(name));
  auto it = started_.find(key);
  if (it == started_.end()) {
    dns::AnswerFuture future = resolver_.Lookup(dns::Question{key.second, type});
    it = started_.emplace(std::move(key), std::move(future)).first;
  }
  return it->second;
}

void SpfDns::Start(std::string_view name, dns::RecordType type) { Future(name, type); }

SpfDnsAnswer SpfDns::Get(std::string_view name, dns::RecordType type) {
  const dns::Result<dns::Answer>& result = Future(name, type).get();
  SpfDnsAnswer out;
  if (!result) {
    out.status = SpfDnsStatus::kError;
    out.error = result.error().code == dns::ErrorCode::kTimeout ? "timeout" : "DNS error";
    return out;
  }
  switch (result->rcode) {
    case dns::Rcode::kNoError:
      out.records = result->records;
      out.status = out.records.empty() ? SpfDnsStatus::kVoid : SpfDnsStatus::kFound;
      return out;
    case dns::Rcode::kNxDomain:  // §5: "as if the server returned ... zero answer records"
      out.nxdomain = true;
      out.status = SpfDnsStatus::kVoid;
      return out;
    default:  // §5: "an error (RCODE other than 0 or 3)"
      out.status = SpfDnsStatus::kError;
      out.error = std::string(RcodeName(result->rcode));
      return out;
  }
}

bool SpfNameWithin(std::string_view name, std::string_view domain) {
  std::string n = dns::NormalizeName(name);
  std::string d = dns::NormalizeName(domain);
  if (n == d) return true;
  return n.size() > d.size() && n.ends_with(d) && n[n.size() - d.size() - 1] == '.';
}

std::vector<SpfAddress> SpfAddressesOf(const SpfDnsAnswer& answer, bool v6) {
  std::vector<SpfAddress> out;
  for (const dns::Record& record : answer.records) {
    if (record.strings.empty()) continue;
    auto ip = v6 ? ParseSpfIp6(record.strings[0]) : ParseSpfIp4(record.strings[0]);
    if (ip) out.push_back(*ip);
  }
  return out;
}

const SpfDnsAnswer& SpfPtrNames::Answer() {
  if (answer_) return *answer_;
  answer_ = dns_.Get(SpfReverseName(ip_), dns::RecordType::kPtr);
  for (const dns::Record& record : answer_->records) {
    if (static_cast<int>(names_.size()) >= max_names_) break;
    if (record.strings.empty()) continue;
    std::string name = record.strings[0];
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (!name.empty()) names_.push_back(std::move(name));
  }
  return *answer_;
}

const std::vector<std::string>& SpfPtrNames::Names() {
  Answer();
  return names_;
}

std::vector<std::string> SpfPtrNames::Validate(const std::vector<std::string>& candidates) {
  dns::RecordType type = ip_.v6 ? dns::RecordType::kAaaa : dns::RecordType::kA;
  for (const std::string& name : candidates) dns_.Start(name, type);  // all in flight at once
  std::vector<std::string> out;
  for (const std::string& name : candidates) {
    std::string key = dns::NormalizeName(name);
    auto it = validated_.find(key);
    if (it == validated_.end()) {
      // §5.5: "If a DNS error occurs while doing an A RR lookup, then that domain name is
      // skipped and the search continues."
      std::vector<SpfAddress> addresses = SpfAddressesOf(dns_.Get(name, type), ip_.v6);
      bool match = std::find(addresses.begin(), addresses.end(), ip_) != addresses.end();
      it = validated_.emplace(key, match).first;
    }
    if (it->second) out.push_back(name);
  }
  return out;
}

std::string SpfPtrNames::ValidatedName(std::string_view domain) {
  if (Answer().status != SpfDnsStatus::kFound) return "unknown";
  std::string want = dns::NormalizeName(domain);
  // §7.3 preference: <domain> itself, then a subdomain of it, then any validated name.
  std::vector<std::string> exact, sub, other;
  for (const std::string& name : names_) {
    bool same = dns::NormalizeName(name) == want;
    (same ? exact : SpfNameWithin(name, want) ? sub : other).push_back(name);
  }
  for (const auto* group : {&exact, &sub, &other}) {
    std::vector<std::string> valid = Validate(*group);
    if (!valid.empty()) return valid.front();
  }
  return "unknown";
}

}  // namespace kenin::policy
