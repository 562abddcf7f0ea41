#include "tests/conformance/spf_yaml_zone.h"

namespace kenin::testing {
namespace {

constexpr int kMaxCnameDepth = 8;

dns::Result<dns::Answer> Timeout() {
  return tl::unexpected(dns::Error{dns::ErrorCode::kTimeout, "suite TIMEOUT"});
}

dns::Answer WithRcode(dns::Rcode rcode) {
  dns::Answer answer;
  answer.rcode = rcode;
  return answer;
}

std::vector<std::string> Strings(const YAML::Node& value, const std::string& type) {
  if (type == "MX") {  // [preference, exchange]; "" is the null MX "."
    std::string host = value[1].as<std::string>();
    if (host.empty() || host.back() != '.') host += ".";
    return {value[0].as<std::string>() + " " + host};
  }
  if (value.IsSequence()) return value.as<std::vector<std::string>>();  // TXT pieces
  std::string text = value.as<std::string>();
  if ((type == "PTR" || type == "CNAME") && (text.empty() || text.back() != '.')) text += ".";
  return {text};
}

bool LongLabel(const std::string& name) {
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    size_t end = dot == std::string::npos ? name.size() : dot;
    if (end - start > 63) return true;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return false;
}

}  // namespace

SpfYamlZone::SpfYamlZone(const YAML::Node& zonedata) {
  for (const auto& item : zonedata) {
    std::vector<Entry>& entries = names_[dns::NormalizeName(item.first.as<std::string>())];
    bool explicit_txt = false;
    std::vector<Entry> spf;
    for (const YAML::Node& record : item.second) {
      Entry entry;
      if (record.IsScalar()) {  // the bare TIMEOUT
        entry.timeout = true;
        entries.push_back(entry);
        continue;
      }
      auto field = record.begin();
      entry.type = field->first.as<std::string>();
      YAML::Node value = field->second;  // a copy: operator-> yields a temporary
      bool scalar = value.IsScalar();
      entry.none = scalar && value.as<std::string>() == "NONE";
      entry.timeout = scalar && value.as<std::string>() == "TIMEOUT";
      if (!entry.none && !entry.timeout) entry.strings = Strings(value, entry.type);
      explicit_txt |= entry.type == "TXT";
      if (entry.type == "SPF" && !entry.none) spf.push_back(entry);
      entries.push_back(entry);
    }
    // The suite's "auto-magic duplication": SPF records are TXT records too, appended after
    // everything else, unless the name has TXT entries of its own.
    for (Entry& entry : spf) {
      if (explicit_txt) break;
      entry.type = "TXT";
      entries.push_back(entry);
    }
  }
}

dns::AnswerFuture SpfYamlZone::Lookup(const dns::Question& question) {
  ++lookups_;
  return dns::ReadyAnswer(
      Resolve(dns::NormalizeName(question.name), std::string(dns::ToString(question.type)), 0));
}

dns::Result<dns::Answer> SpfYamlZone::Resolve(const std::string& name, const std::string& type,
                                              int depth) {
  if (LongLabel(name)) return Timeout();  // as the pyspf harness's DNS library did
  auto it = names_.find(name);
  if (it == names_.end()) {
    if (name.starts_with("error.")) return Timeout();
    return WithRcode(dns::Rcode::kNxDomain);
  }
  dns::Answer answer = WithRcode(dns::Rcode::kNoError);
  std::string cname;
  for (const Entry& entry : it->second) {
    if (entry.type.empty() && entry.timeout) {
      if (answer.records.empty()) return Timeout();
      break;
    }
    if (entry.type == "CNAME" && !entry.strings.empty()) cname = entry.strings[0];
    if (entry.type != type || entry.none) continue;
    if (entry.timeout) return Timeout();
    answer.records.push_back(dns::Record{entry.strings, 300});
  }
  if (answer.records.empty() && !cname.empty()) {
    if (depth >= kMaxCnameDepth) return WithRcode(dns::Rcode::kServFail);  // CNAME loop
    return Resolve(dns::NormalizeName(cname), type, depth + 1);
  }
  return answer;
}

}  // namespace kenin::testing
